import * as core from "@slope/core";
import { type Var, type VarLike, record, toVars } from "../var.js";
import { mul } from "./mul.js";
import { neg } from "./neg.js";
import { sumTo } from "./sum-to.js";

/** y = a / b elementwise (broadcasting); ∂L/∂a = sumTo(g / b), ∂L/∂b = sumTo(−g·a / b²) = sumTo(−g·y / b). */
export function div(a: VarLike, b: VarLike): Var {
  const [x, y] = toVars(a, b) as [Var, Var];
  return record("div", core.div(x.value, y.value), [x, y], (g, out, needs) => [
    needs[0] ? sumTo(div(g, y), x.shape) : null,
    needs[1] ? sumTo(neg(div(mul(g, out), y)), y.shape) : null,
  ]);
}
