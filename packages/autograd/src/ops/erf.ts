import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { exp } from "./exp.js";
import { mul } from "./mul.js";
import { neg } from "./neg.js";
import { square } from "./square.js";

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** y = erf x = 2/√π ∫₀ˣ e^(−t²) dt; ∂L/∂x = g·(2/√π)·e^(−x²). */
export function erf(a: VarLike): Var {
  const x = toVar(a);
  return record("erf", core.erf(x.value), [x], (g) => [mul(g, mul(exp(neg(square(x))), TWO_OVER_SQRT_PI))]);
}
