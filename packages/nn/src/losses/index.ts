export type { Reduction } from "./reduction.js";
export type { ClassIndices } from "./class-targets.js";
export { type CrossEntropyOptions, crossEntropy } from "./cross-entropy.js";
export { type NllLossOptions, nllLoss } from "./nll-loss.js";
export { type ElementwiseLossOptions, mseLoss } from "./mse-loss.js";
export { l1Loss } from "./l1-loss.js";
export { type HuberLossOptions, huberLoss } from "./huber-loss.js";
export { type BinaryCrossEntropyOptions, binaryCrossEntropy } from "./binary-cross-entropy.js";
export {
  type BinaryCrossEntropyWithLogitsOptions,
  binaryCrossEntropyWithLogits,
} from "./binary-cross-entropy-with-logits.js";
export { type KlDivOptions, klDiv } from "./kl-div.js";
export { logSigmoid } from "./log-sigmoid.js";
export {
  type CrossEntropyLossOptions,
  type NLLLossOptions,
  CrossEntropyLoss,
  NLLLoss,
  MSELoss,
  L1Loss,
  HuberLoss,
  BCELoss,
  BCEWithLogitsLoss,
  KLDivLoss,
} from "./modules.js";
