import * as core from "@slope/core";
import * as internal from "@slope/core/internal";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { mul } from "./mul.js";
import { sigmoid } from "./sigmoid.js";
import { where } from "./where.js";

/** Options of `softplus`, PyTorch's. */
export interface SoftplusOptions {
  /** The sharpness β: y = log(1 + e^(βx))/β (1 by default). */
  beta?: number;
  /** Above βx = threshold the function is taken as x itself (20 by default). */
  threshold?: number;
}

/**
 * y = log(1 + e^(βx))/β, and y = x where βx > threshold (torch's Softplus); ∂L/∂x = g·σ(βx), and g
 * above the threshold. Computed as (max(βx, 0) + log1p(e^(−|βx|)))/β, which never overflows, whatever
 * the threshold (torch's log1p(e^(βx))/β is the same function, within an ulp).
 */
export function softplus(a: VarLike, options: SoftplusOptions = {}): Var {
  const { beta = 1, threshold = 20 } = internal.checkOptions(options, ["beta", "threshold"], "softplus");
  const x = toVar(a);
  const scaled = core.mul(x.value, beta);
  const linear = core.greater(scaled, threshold);
  const smooth = core.add(core.relu(scaled), core.log1p(core.exp(core.neg(core.abs(scaled)))));
  const value = core.where(linear, x.value, core.div(smooth, beta));
  return record("softplus", value, [x], (g) => [mul(g, where(linear, 1, sigmoid(mul(x, beta))))], { beta, threshold });
}
