import * as core from "@slope/core";
import * as internal from "@slope/core/internal";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { mul } from "../ops/mul.js";

/** Options of `svmLoss`: the margin Δ (the lecture's delta, 1 by default). */
export interface SvmLossOptions {
  /** The margin Δ by which the correct class's score should beat every other (1 by default). */
  delta?: number;
}

/**
 * The multiclass SVM (Weston–Watkins hinge) loss, averaged over the batch:
 *   L = (1/N) Σᵢ Σ_{j≠yᵢ} max(0, sᵢⱼ − s_{i,yᵢ} + Δ)
 * Its gradient, as the lecture derives it, one pass over the scores:
 *   ∂L/∂sᵢⱼ = 1(sᵢⱼ − s_{i,yᵢ} + Δ > 0) / N                 for j ≠ yᵢ
 *   ∂L/∂s_{i,yᵢ} = −(number of j ≠ yᵢ with a positive margin) / N
 * The gradient is piecewise constant in s, so its own derivative is 0 (away from the kinks).
 */
export function svmLoss(scores: VarLike, labels: core.Labels, options: SvmLossOptions = {}): Var {
  const s = toVar(scores);
  const delta = internal.checkOptions(options, ["delta"], "svmLoss").delta ?? 1;
  const { loss, coefficients } = internal.multiclassHingeForward(s.value, labels, delta);
  const n = s.shape[0]!;
  return record("svmLoss", core.scalar(loss, s.dtype), [s], (g) => [mul(g, core.div(coefficients, n))], { delta });
}
