export { linear } from "./linear.js";
export { type SvmLossOptions, svmLoss } from "./svm-loss.js";
export { softmaxCrossEntropy } from "./softmax-cross-entropy.js";
export { l2 } from "./l2.js";
