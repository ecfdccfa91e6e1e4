// Puts Var's methods (x.add(y), loss.backward(), …) on Var.prototype and their types on Var: see methods/.
import "./methods/install-all.js";
export { Var, type VarLike, type VectorJacobianProduct, param, constant, toVar, noGrad, isRecording, record } from "./var.js";
export { type BackwardOptions, GraphError, backward, gradients, grad, topologicalOrder } from "./backward.js";
export * from "./ops/index.js";
export * from "./losses/index.js";
export * from "./gradcheck/index.js";
export { type CustomOpDefinition, customOp } from "./custom-op.js";
export { type GraphNode, graphToJSON, toDot } from "./graph-export.js";
