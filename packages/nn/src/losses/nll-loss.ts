import type { Tensor } from "@slope/core";
import { type Var, type VarLike, gather, mul, neg, reshape, where } from "@slope/autograd";
import { type ClassIndices, classIndexTargets, classRows, reduceClassLosses } from "./class-targets.js";
import { classWeight, toOperand } from "./operands.js";
import { type Reduction, checkReduction } from "./reduction.js";

/** Options of `nllLoss` (PyTorch's `nll_loss`). */
export interface NllLossOptions {
  /** "mean" (default): Σ ℓ / Σ w[yᵢ] over counted items; "sum"; "none": one loss per item. */
  reduction?: Reduction;
  /** A weight per class, shape [C] (default: all 1). */
  weight?: Tensor | ArrayLike<number>;
  /** A target value whose items contribute 0 and are left out of the mean (default −100). */
  ignoreIndex?: number;
}

/**
 * The negative log-likelihood loss of log-probabilities x [N, C] (or [N, C, d1, ...], or one [C] row)
 * and class indices y [N] (or [N, d1, ...]), as PyTorch's `nll_loss`:
 *   ℓᵢ = −w[yᵢ]·x[i, yᵢ]          (0 where yᵢ = ignoreIndex)
 *   "mean": Σᵢ ℓᵢ / Σᵢ w[yᵢ] over the items that are not ignored;  "sum": Σᵢ ℓᵢ;  "none": ℓ.
 * Gradient: ∂ℓᵢ/∂x[i, c] = −w[yᵢ]·1(c = yᵢ) (a gather, whose adjoint scatters the rows back).
 * Throws IndexError for a label outside [0, C) other than ignoreIndex, ShapeError for a target or
 * weight of the wrong size, DTypeError for a weight of another dtype.
 */
export function nllLoss(input: VarLike, target: ClassIndices, options: NllLossOptions = {}): Var {
  const name = "nllLoss";
  const x = toOperand(input, name, "input");
  const reduction = options.reduction ?? "mean";
  checkReduction(reduction, name);
  const rows = classRows(x, name);
  const weight = options.weight === undefined ? null : classWeight(options.weight, x, rows.classes, name);
  const targets = classIndexTargets(target, rows, options.ignoreIndex ?? -100, weight, name);
  const m = targets.positions.length;
  const picked = reshape(gather(reshape(rows.rows, [m * rows.classes, 1]), targets.positions), [m]);
  const losses = where(targets.valid, mul(neg(picked), targets.itemWeight), 0);
  return reduceClassLosses(losses, reduction, rows, targets.totalWeight);
}
