// What each of the demo's data losses provides, and the pieces the hinge losses share, built from
// @slope/autograd's ops on scores S [N, C] (row i: sᵢ = W·xᵢ + b) and labels yᵢ.
import { type Var, mul, oneHot, sub, sum } from "@slope/autograd";
import { type Tensor, sub as subTensors } from "@slope/core";

/** The margin Δ of every hinge on the page, as in the lecture. */
export const DELTA = 1;

export type LossKind = "weston-watkins" | "one-vs-all" | "structured" | "softmax";

export interface DataLoss {
  kind: LossKind;
  /** The name in the lecture's words, for the menu. */
  name: string;
  /** Lᵢ in the lecture's notation, as HTML. */
  formula: string;
  /** Lᵢ for every point: a Var [N]. */
  pointLosses(scores: Var, labels: number[]): Var;
  /** L_data = (1/N) Σᵢ Lᵢ: a scalar Var, the one training differentiates. */
  dataLoss(scores: Var, labels: number[]): Var;
}

/** The indicator of each point's own class, [N, C]: 1 at (i, yᵢ). */
export const isLabel = (scores: Var, labels: number[]): Tensor =>
  oneHot(labels, scores.shape[1]!, { dtype: scores.dtype });

/** The other classes' indicator, [N, C]: 1 at (i, j) for j ≠ yᵢ. */
export const isNotLabel = (scores: Var, labels: number[]): Tensor => subTensors(1, isLabel(scores, labels));

/** s_{yᵢ} for every point, [N, 1]. */
export const correctScores = (scores: Var, labels: number[]): Var => sum(mul(scores, isLabel(scores, labels)), 1, true);

/** The hinge margins sⱼ − s_{yᵢ} + Δ, [N, C]. */
export const margins = (scores: Var, labels: number[]): Var => sub(scores, sub(correctScores(scores, labels), DELTA));
