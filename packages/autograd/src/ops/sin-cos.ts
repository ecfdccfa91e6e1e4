import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { mul } from "./mul.js";
import { neg } from "./neg.js";

// sin and cos are each other's derivative, so each one's vector-Jacobian product calls the other op: they share
// this file rather than two files that import each other.

/** y = sin x; ∂L/∂x = g·cos x (cos the differentiable op, so d²/dx² sin = −sin works). */
export function sin(a: VarLike): Var {
  const x = toVar(a);
  return record("sin", core.sin(x.value), [x], (g) => [mul(g, cos(x))]);
}

/** y = cos x; ∂L/∂x = −g·sin x (sin the differentiable op, so d²/dx² cos = −cos works). */
export function cos(a: VarLike): Var {
  const x = toVar(a);
  return record("cos", core.cos(x.value), [x], (g) => [neg(mul(g, sin(x)))]);
}
