import * as core from "@slope/core";
import { type Var, type VarLike, record, toVars } from "../var.js";
import { sumTo } from "./sum-to.js";

/** y = cond ? a : b (cond a constant mask); ∂L/∂a = sumTo(cond ? g : 0), ∂L/∂b = sumTo(cond ? 0 : g). */
export function where(cond: core.Tensor | Var, a: VarLike, b: VarLike): Var {
  if (
    !(cond instanceof core.Tensor) &&
    !(cond !== null && typeof cond === "object" && cond.value instanceof core.Tensor)
  ) {
    throw new core.ValueError(`where: cond must be a Tensor or a Var, got ${cond === null ? "null" : typeof cond}`);
  }
  const mask = cond instanceof core.Tensor ? cond : cond.value;
  const [x, y] = toVars(a, b) as [Var, Var];
  return record("where", core.where(mask, x.value, y.value), [x, y], (g, _, needs) => [
    needs[0] ? sumTo(where(mask, g, 0), x.shape) : null,
    needs[1] ? sumTo(where(mask, 0, g), y.shape) : null,
  ]);
}
