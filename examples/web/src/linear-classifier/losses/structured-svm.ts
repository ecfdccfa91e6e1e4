import { max, mean, relu, where } from "@slope/autograd";
import { type DataLoss, isNotLabel, margins } from "./data-loss.js";

/**
 * The structured SVM (Crammer–Singer): only the top runner-up counts,
 *   Lᵢ = max(0, max_{j≠yᵢ} sⱼ − s_{yᵢ} + Δ)
 * its gradient flows to s_{yᵢ} and to the runner-up alone (shared evenly if runners-up tie).
 */
export const structuredSvm: DataLoss = {
  kind: "structured",
  name: "structured SVM (top runner-up)",
  formula: "L<sub>i</sub> = max(0, max<sub>j≠y<sub>i</sub></sub> s<sub>j</sub> − s<sub>y<sub>i</sub></sub> + Δ)",
  pointLosses: (scores, labels) => relu(max(where(isNotLabel(scores, labels), margins(scores, labels), -Infinity), 1)),
  dataLoss: (scores, labels) => mean(structuredSvm.pointLosses(scores, labels)),
};
