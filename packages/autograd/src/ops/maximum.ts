import * as core from "@slope/core";
import { type Var, type VarLike, record, toVars } from "../var.js";
import { mul } from "./mul.js";
import { sumTo } from "./sum-to.js";

/** y = max(a, b) elementwise; the gradient goes to the larger: ∂L/∂a = sumTo(g·1(a ≥ b)), ∂L/∂b = sumTo(g·1(a < b)). */
export function maximum(a: VarLike, b: VarLike): Var {
  const [x, y] = toVars(a, b) as [Var, Var];
  return record("maximum", core.maximum(x.value, y.value), [x, y], (g, _, needs) => [
    needs[0] ? sumTo(mul(g, core.greaterEqual(x.value, y.value)), x.shape) : null,
    needs[1] ? sumTo(mul(g, core.less(x.value, y.value)), y.shape) : null,
  ]);
}
