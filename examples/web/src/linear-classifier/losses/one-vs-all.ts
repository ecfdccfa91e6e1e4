import { mean, mul, relu, sub, sum } from "@slope/autograd";
import { DELTA, type DataLoss, isLabel } from "./data-loss.js";

/**
 * One binary SVM per class (one-vs-all):
 *   Lᵢ = Σⱼ max(0, Δ − yᵢⱼ·sⱼ),  yᵢⱼ = +1 for j = yᵢ and −1 otherwise
 * so the own class is pushed above +Δ and every other class below −Δ, each on its own.
 */
export const oneVsAll: DataLoss = {
  kind: "one-vs-all",
  name: "one-vs-all SVM",
  formula:
    "L<sub>i</sub> = Σ<sub>j</sub> max(0, Δ − y<sub>ij</sub> s<sub>j</sub>), " +
    "y<sub>ij</sub> = +1 if j = y<sub>i</sub>, else −1",
  pointLosses: (scores, labels) => {
    const signs = sub(mul(isLabel(scores, labels), 2), 1);
    return sum(relu(sub(DELTA, mul(scores, signs))), 1);
  },
  dataLoss: (scores, labels) => mean(oneVsAll.pointLosses(scores, labels)),
};
