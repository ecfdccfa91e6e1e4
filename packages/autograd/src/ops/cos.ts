import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { mul } from "./mul.js";
import { neg } from "./neg.js";
import { sin } from "./sin.js";

/** y = cos x; ∂L/∂x = −g·sin x (sin the differentiable op, so d²/dx² cos = −cos works). */
export function cos(a: VarLike): Var {
  const x = toVar(a);
  return record("cos", core.cos(x.value), [x], (g) => [neg(mul(g, sin(x)))]);
}
