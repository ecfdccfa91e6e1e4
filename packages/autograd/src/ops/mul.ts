import * as core from "@slope/core";
import { type Var, type VarLike, record, toVars } from "../var.js";
import { sumTo } from "./sum-to.js";

/** y = a·b elementwise (broadcasting); ∂L/∂a = sumTo(g·b), ∂L/∂b = sumTo(g·a). */
export function mul(a: VarLike, b: VarLike): Var {
  const [x, y] = toVars(a, b) as [Var, Var];
  return record("mul", core.mul(x.value, y.value), [x, y], (g, _, needs) => [
    needs[0] ? sumTo(mul(g, y), x.shape) : null,
    needs[1] ? sumTo(mul(g, x), y.shape) : null,
  ]);
}
