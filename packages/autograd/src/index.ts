/**
 * The computation graph of Slope: reverse-mode automatic differentiation over @slope/core tensors.
 * A `Var` is a node (a value, the op that made it, its inputs); every op defines its forward and its
 * vector-Jacobian product together, written with differentiable ops so that `grad(grad(f))` works.
 * Also the lecture's loss nodes derived by hand (`svmLoss`, `softmaxCrossEntropy`, `l2`), numerical
 * gradients and the gradient checks that prove every rule, and graph export for Graphviz.
 *
 * @module @slope/autograd
 */
// Puts Var's methods (x.add(y), loss.backward(), …) on Var.prototype and their types on Var: see methods/.
import "./methods/install-all.js";
export {
  Var,
  type VarLike,
  type VectorJacobianProduct,
  param,
  constant,
  toVar,
  noGrad,
  isRecording,
  record,
} from "./var.js";
export { type BackwardOptions, GraphError, backward, gradients, grad, topologicalOrder } from "./backward.js";
export * from "./ops/index.js";
export * from "./losses/index.js";
export * from "./gradcheck/index.js";
export { type CustomOpDefinition, customOp } from "./custom-op.js";
export { type GraphNode, graphToJSON, toDot } from "./graph-export.js";
