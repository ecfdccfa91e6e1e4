import { type FloatArray, ValueError } from "@slope/core";
import { kernels } from "@slope/core/internal";
import type { Parameter } from "./optimizer.js";

/** Clamps every gradient element to [−clip, clip], in place. */
export function clipGradValue(params: readonly Parameter[], clip: number): void {
  if (!(clip > 0)) throw new ValueError(`clipGradValue: clip must be > 0, got ${clip}`);
  for (const p of params) {
    const g = p.grad?.data;
    if (!g) continue;
    for (let i = 0; i < g.length; i++) g[i] = g[i]! > clip ? clip : g[i]! < -clip ? -clip : g[i]!;
  }
}

/** Options of `clipGradNorm` (PyTorch's clip_grad_norm_: norm_type, error_if_nonfinite). */
export interface ClipGradNormOptions {
  /** The p of the p-norm: any p > 0, or Infinity (the largest |g|). Default 2. */
  normType?: number;
  /** Throw instead of clipping when the total norm is NaN or ±∞. Default false (PyTorch's default). */
  errorIfNonfinite?: boolean;
}

/**
 * Rescales all gradients together, in place, so that their total p-norm is at most maxNorm (PyTorch's
 * clip_grad_norm_), and returns the total norm before clipping:
 *
 *     total = (Σ over every element g of every gradient |g|^p)^(1/p)      (p = ∞: max |g|)
 *     g ← g · min(1, maxNorm / (total + 1e-6))
 *
 * A non-finite total (a NaN or ∞ in some gradient) is a ValueError with `errorIfNonfinite`; without it the
 * gradients are scaled by the NaN or 0 coefficient as PyTorch does (NaN in gives NaN out). Parameters whose grad
 * is null are skipped; with none, the total is 0.
 */
export function clipGradNorm(params: readonly Parameter[], maxNorm: number, options: ClipGradNormOptions = {}): number {
  const { normType = 2, errorIfNonfinite = false } = options;
  if (!(maxNorm > 0)) throw new ValueError(`clipGradNorm: maxNorm must be > 0, got ${maxNorm}`);
  if (typeof normType !== "number" || !(normType > 0)) {
    throw new ValueError(`clipGradNorm: normType must be a number > 0 or Infinity, got ${String(normType)}`);
  }
  if (typeof errorIfNonfinite !== "boolean") {
    throw new ValueError(`clipGradNorm: errorIfNonfinite must be true or false, got ${String(errorIfNonfinite)}`);
  }
  const grads = params.flatMap((p) => (p.grad ? [p.grad.data] : []));
  const total = totalNorm(grads, normType);
  if (errorIfNonfinite && !Number.isFinite(total)) {
    throw new ValueError(
      `clipGradNorm: the total norm of order ${normType} of the gradients is ${total}, so it ` +
        "cannot be clipped (errorIfNonfinite: true); pass false to scale by it anyway",
    );
  }
  const coefficient = maxNorm / (total + 1e-6);
  if (!(coefficient >= 1)) {
    // < 1, or NaN: PyTorch multiplies by min(1, coefficient) (NaN stays NaN)
    for (const g of grads) for (let i = 0; i < g.length; i++) g[i]! *= coefficient;
  }
  return total;
}

/**
 * (Σ |g|^p)^(1/p) over every element of every array. p = 1 and p = 2 sum directly (2 through core's
 * sumOfSquares kernel); other p, and p = 2 when its sum over- or underflows, factor out the largest |g| = m:
 * m·(Σ (|g|/m)^p)^(1/p), so no |g|^p overflows. NaN anywhere gives NaN; ∞ (without NaN) gives ∞.
 */
function totalNorm(grads: readonly FloatArray[], p: number): number {
  let largest = 0;
  for (const g of grads) {
    for (let i = 0; i < g.length; i++) {
      const a = Math.abs(g[i]!);
      if (a > largest) largest = a;
      else if (Number.isNaN(a)) return NaN;
    }
  }
  if (p === Infinity || largest === 0 || largest === Infinity) return largest;
  if (p === 1) {
    let sum = 0;
    for (const g of grads) for (let i = 0; i < g.length; i++) sum += Math.abs(g[i]!);
    return sum;
  }
  if (p === 2) {
    let squares = 0;
    for (const g of grads) squares += kernels().sumOfSquares(g);
    if (squares > 1e-280 && squares < Infinity) return Math.sqrt(squares); // else it over- or (nearly) underflowed
  }
  let sum = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) sum += (Math.abs(g[i]!) / largest) ** p;
  return largest * sum ** (1 / p);
}
