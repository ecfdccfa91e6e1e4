import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { cos } from "./cos.js";
import { mul } from "./mul.js";

/** y = sin x; ∂L/∂x = g·cos x (cos the differentiable op, so d²/dx² sin = −sin works). */
export function sin(a: VarLike): Var {
  const x = toVar(a);
  return record("sin", core.sin(x.value), [x], (g) => [mul(g, cos(x))]);
}
