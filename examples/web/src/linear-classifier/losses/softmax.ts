import { logSumExp, softmaxCrossEntropy, sub, sum } from "@slope/autograd";
import { type DataLoss, correctScores } from "./data-loss.js";

/**
 * The softmax (cross-entropy) loss:
 *   Lᵢ = −log(e^{s_{yᵢ}} / Σⱼ e^{sⱼ}) = log Σⱼ e^{sⱼ} − s_{yᵢ}
 * Training goes through the library's fused, max-shifted node, softmaxCrossEntropy.
 */
export const softmax: DataLoss = {
  kind: "softmax",
  name: "softmax (cross-entropy)",
  formula: "L<sub>i</sub> = −log(e<sup>s<sub>y<sub>i</sub></sub></sup> / Σ<sub>j</sub> e<sup>s<sub>j</sub></sup>)",
  pointLosses: (scores, labels) => sub(logSumExp(scores, 1), sum(correctScores(scores, labels), 1)),
  dataLoss: (scores, labels) => softmaxCrossEntropy(scores, labels),
};
