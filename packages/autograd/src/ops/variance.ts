import * as core from "@slope/core";
import * as internal from "@slope/core/internal";
import { type Var, type VarLike, toVar } from "../var.js";
import { div } from "./div.js";
import { mean } from "./mean.js";
import { sqrt } from "./sqrt.js";
import { square } from "./square.js";
import { sub } from "./sub.js";
import { sum } from "./sum.js";

/** Options of `variance` and `std`, PyTorch's. */
export interface VarianceOptions {
  /** Subtracted from the count: 1 (the default) is Bessel's unbiased estimate, 0 the population variance. */
  correction?: number;
  /** Keep the reduced axes as size 1, so the result broadcasts against x (off by default). */
  keepDims?: boolean;
}

/**
 * y = Σ (x − x̄)² / max(0, n − correction) over `axis` (a number, a list, or every axis when omitted),
 * n the number of elements reduced (torch.var); ∂L/∂x = g·2(x − x̄)/(n − correction), which the
 * composition gives (the mean's own term vanishes, Σ (x − x̄) = 0). n ≤ correction divides by 0, as torch does.
 */
export function variance(a: VarLike, axis?: core.Axis, options: VarianceOptions = {}): Var {
  const { correction = 1, keepDims = false } = internal.checkOptions(options, ["correction", "keepDims"], "variance");
  if (!Number.isFinite(correction) || correction < 0) {
    throw new core.ValueError(`variance: correction must be a finite number ≥ 0, got ${correction}`);
  }
  const x = toVar(a);
  const n = core.normalizeAxes(axis, x.shape.length, "variance").reduce((count, d) => count * x.shape[d]!, 1);
  const centered = sub(x, mean(x, axis, true));
  const squares = sum(square(centered), axis, keepDims);
  return div(squares, Math.max(0, n - correction));
}

/** y = √variance(x, axis, { correction }) (torch.std); ∂L/∂x = g·(x − x̄)/((n − correction)·y). */
export function std(a: VarLike, axis?: core.Axis, options: VarianceOptions = {}): Var {
  return sqrt(variance(a, axis, options));
}
