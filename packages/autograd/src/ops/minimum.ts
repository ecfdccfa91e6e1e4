import * as core from "@slope/core";
import { type Var, type VarLike, record, toVars } from "../var.js";
import { mul } from "./mul.js";
import { sumTo } from "./sum-to.js";

/** y = min(a, b) elementwise; ∂L/∂a = sumTo(g·1(a ≤ b)), ∂L/∂b = sumTo(g·1(a > b)). */
export function minimum(a: VarLike, b: VarLike): Var {
  const [x, y] = toVars(a, b) as [Var, Var];
  return record("minimum", core.minimum(x.value, y.value), [x, y], (g, _, needs) => [
    needs[0] ? sumTo(mul(g, core.lessEqual(x.value, y.value)), x.shape) : null,
    needs[1] ? sumTo(mul(g, core.greater(x.value, y.value)), y.shape) : null,
  ]);
}
