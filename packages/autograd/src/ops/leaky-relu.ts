import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { mul } from "./mul.js";

/** y = x for x > 0, negativeSlope·x otherwise (torch's LeakyReLU); ∂L/∂x = g·(x > 0 ? 1 : negativeSlope). */
export function leakyRelu(a: VarLike, negativeSlope = 0.01): Var {
  const x = toVar(a);
  const positive = core.greater(x.value, 0);
  const value = core.where(positive, x.value, core.mul(x.value, negativeSlope));
  return record("leakyRelu", value, [x], (g) => [mul(g, core.where(positive, 1, negativeSlope))], { negativeSlope });
}
