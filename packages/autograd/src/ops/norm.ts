import * as core from "@slope/core";
import * as internal from "@slope/core/internal";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { abs } from "./abs.js";
import { broadcastTo } from "./sum-to.js";
import { div } from "./div.js";
import { max } from "./max.js";
import { mul } from "./mul.js";
import { pow } from "./pow.js";
import { reshape } from "./reshape.js";
import { keptShape } from "./sum.js";
import { where } from "./where.js";

/** Options of `norm`. */
export interface NormOptions {
  /** The order: any positive number, or Infinity for max |x| (2 by default). */
  p?: number;
  /** The axes reduced: a number, a list, or every axis when omitted (the Frobenius norm of a matrix). */
  axis?: core.Axis;
  /** Keep the reduced axes as size 1, so the result broadcasts against x (off by default). */
  keepDims?: boolean;
}

/**
 * The vector p-norm over `axis` (torch.linalg.vector_norm): y = (Σ |x|ᵖ)^(1/p), y = max |x| for p = ∞.
 *   ∂L/∂x = g·x/y                          p = 2
 *   ∂L/∂x = g·sign(x)                      p = 1
 *   ∂L/∂x = g·sign(x)·|x|ᵖ⁻¹/yᵖ⁻¹          other p
 *   ∂L/∂x = g at the max |x|, times sign(x)  p = ∞ (shared among ties)
 * Where y = 0 the gradient is 0, the subgradient PyTorch gives (not the 0/0 = NaN of the formula).
 */
export function norm(a: VarLike, options: NormOptions = {}): Var {
  const { p = 2, axis, keepDims = false } = internal.checkOptions(options, ["p", "axis", "keepDims"], "norm");
  if (typeof p !== "number" || !(p > 0)) {
    throw new core.ValueError(`norm: p must be a positive number or Infinity, got ${p}`);
  }
  const x = toVar(a);
  if (p === Infinity) return max(abs(x), axis, keepDims);
  const kept = keptShape(x.shape, axis, "norm");
  const value =
    p === 2
      ? core.sqrt(core.sum(core.square(x.value), axis, keepDims))
      : p === 1
        ? core.sum(core.abs(x.value), axis, keepDims)
        : core.pow(core.sum(core.pow(core.abs(x.value), p), axis, keepDims), 1 / p);
  return record(
    "norm",
    value,
    [x],
    (g, y) => {
      const upstream = broadcastTo(reshape(g, kept), x.shape);
      if (p === 1) return [mul(upstream, core.sign(x.value))];
      const yKept = reshape(y, kept);
      const zero = core.equal(yKept.value, 0);
      const safe = where(zero, 1, yKept); // y = 0 only where every x is 0, so x/1 = 0 there
      if (p === 2) return [mul(upstream, div(x, safe))];
      const direction = mul(core.sign(x.value), div(pow(abs(x), p - 1), pow(safe, p - 1)));
      // For p < 1, |x|ᵖ⁻¹ is ∞ at x = 0: take the subgradient 0 there too.
      return [mul(upstream, p < 1 ? where(core.equal(x.value, 0), 0, direction) : direction)];
    },
    { p, axis, keepDims },
  );
}
