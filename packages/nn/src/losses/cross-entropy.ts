import { Tensor, ValueError } from "@slope/core";
import { Var, type VarLike, add, div, gather, logSoftmax, mul, neg, reshape, sum, where } from "@slope/autograd";
import { type ClassIndices, classIndexTargets, classRows, reduceClassLosses } from "./class-targets.js";
import { checkSameDType, checkSameShape, classWeight, toOperand } from "./operands.js";
import { type Reduction, checkReduction } from "./reduction.js";

/** Options of `crossEntropy` (PyTorch's `cross_entropy`). */
export interface CrossEntropyOptions {
  /** "mean" (default), "sum" or "none" (one loss per item). */
  reduction?: Reduction;
  /** A weight per class, shape [C] (default: all 1). */
  weight?: Tensor | ArrayLike<number>;
  /** ε in [0, 1]: the target becomes (1 − ε)·target + ε/C (default 0). */
  labelSmoothing?: number;
  /** With class indices: a target value whose items contribute 0 and are left out of the mean (default −100). */
  ignoreIndex?: number;
}

/**
 * The cross-entropy of logits x [N, C] (or [N, C, d1, ...], or one [C] row) against a target, as
 * PyTorch's `cross_entropy`, with log p = logSoftmax(x) over the class axis (max-shifted: never overflows).
 *
 * Class indices y [N] (or [N, d1, ...]), ε = labelSmoothing, w the class weight (1 when absent):
 *   ℓᵢ = (1 − ε)·(−w[yᵢ]·log p[i, yᵢ]) + (ε/C)·(−Σ_c w[c]·log p[i, c])      (0 where yᵢ = ignoreIndex)
 *   "mean": Σᵢ ℓᵢ / Σᵢ w[yᵢ] over the items that are not ignored (both terms, as PyTorch).
 * Class probabilities t (a Tensor or Var of x's shape; it gets a gradient if it is a Var that wants one):
 *   t' = (1 − ε)·t + ε/C,   ℓᵢ = −Σ_c w[c]·t'[i, c]·log p[i, c],   "mean": Σᵢ ℓᵢ / M  (M = N·d1·…).
 * Gradient (composed from differentiable ops): ∂ℓᵢ/∂x[i, c] = (Σ_k w[k]t'[i, k])·p[i, c] − w[c]t'[i, c],
 * with t' the smoothed one-hot row for class indices.
 */
export function crossEntropy(input: VarLike, target: ClassIndices, options: CrossEntropyOptions = {}): Var {
  const name = "crossEntropy";
  const x = toOperand(input, name, "input");
  const reduction = options.reduction ?? "mean";
  checkReduction(reduction, name);
  const smoothing = options.labelSmoothing ?? 0;
  if (typeof smoothing !== "number" || !(smoothing >= 0 && smoothing <= 1)) {
    throw new ValueError(`${name}: labelSmoothing must be a number in [0, 1], got ${String(smoothing)}`);
  }
  const rows = classRows(x, name);
  const c = rows.classes;
  const weight = options.weight === undefined ? null : classWeight(options.weight, x, c, name);
  const logProbs = logSoftmax(rows.rows, -1);
  const weighted = weight === null ? logProbs : mul(logProbs, weight);

  const isProbabilities = (target instanceof Tensor || target instanceof Var) && target.shape.length === x.shape.length;
  if (isProbabilities) {
    const t = target instanceof Var ? target : new Var(target);
    checkSameShape(x, t, name, "a class-probability target");
    checkSameDType(x, t, name, "the target");
    const tRows = classRows(t, name).rows;
    const smoothed = smoothing > 0 ? add(mul(tRows, 1 - smoothing), smoothing / c) : tRows;
    const losses = neg(sum(mul(weighted, smoothed), -1));
    if (reduction === "none") return reshape(losses, rows.itemShape);
    if (reduction === "sum") return sum(losses);
    return div(sum(losses), losses.size);
  }

  const targets = classIndexTargets(target, rows, options.ignoreIndex ?? -100, weight, name);
  const m = targets.positions.length;
  const picked = reshape(gather(reshape(logProbs, [m * c, 1]), targets.positions), [m]);
  let losses = mul(neg(picked), targets.itemWeight);
  if (smoothing > 0) {
    const smooth = neg(sum(weighted, -1));
    losses = add(mul(losses, 1 - smoothing), mul(smooth, smoothing / c));
  }
  return reduceClassLosses(where(targets.valid, losses, 0), reduction, rows, targets.totalWeight);
}
