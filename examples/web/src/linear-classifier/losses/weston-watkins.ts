import { relu, sum, svmLoss, where } from "@slope/autograd";
import { DELTA, type DataLoss, isNotLabel, margins } from "./data-loss.js";

/**
 * The multiclass SVM of Weston and Watkins (the lecture's SVM loss):
 *   Lᵢ = Σ_{j≠yᵢ} max(0, sⱼ − s_{yᵢ} + Δ)
 * Training goes through the library's fused node, svmLoss; the per-point column is the same sum by ops.
 */
export const westonWatkins: DataLoss = {
  kind: "weston-watkins",
  name: "multiclass SVM (Weston–Watkins)",
  formula: "L<sub>i</sub> = Σ<sub>j≠y<sub>i</sub></sub> max(0, s<sub>j</sub> − s<sub>y<sub>i</sub></sub> + Δ)",
  pointLosses: (scores, labels) => sum(where(isNotLabel(scores, labels), relu(margins(scores, labels)), 0), 1),
  dataLoss: (scores, labels) => svmLoss(scores, labels, { delta: DELTA }),
};
