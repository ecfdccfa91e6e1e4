import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { exp } from "./exp.js";
import { mul } from "./mul.js";
import { where } from "./where.js";

/**
 * y = x for x > 0, α(eˣ − 1) otherwise (torch's ELU); ∂L/∂x = g·(x > 0 ? 1 : α·eˣ). The eˣ of the
 * gradient is taken of x with its positive entries set to 0, so that it never overflows where it is
 * not used (an ∞ there would make the second derivative 0·∞ = NaN).
 */
export function elu(a: VarLike, alpha = 1): Var {
  const x = toVar(a);
  const positive = core.greater(x.value, 0);
  const value = core.where(positive, x.value, core.mul(core.expm1(x.value), alpha));
  return record(
    "elu",
    value,
    [x],
    (g) => {
      const slope = where(positive, 1, mul(exp(where(positive, 0, x)), alpha));
      return [mul(g, slope)];
    },
    { alpha },
  );
}
