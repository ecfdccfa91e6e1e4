import { Tensor, ValueError } from "@slope/core";
import { Var } from "@slope/autograd";

/** What an initializer fills in place: a Var's value (a parameter) or a Tensor. */
export type InitTarget = Var | Tensor;

/** The tensor an initializer writes into. */
export function tensorOf(target: InitTarget, where: string): Tensor {
  if (target instanceof Var) return target.value;
  if (target instanceof Tensor) return target;
  throw new ValueError(`${where}: expected a Var or a Tensor, got ${target === null ? "null" : typeof target}`);
}
