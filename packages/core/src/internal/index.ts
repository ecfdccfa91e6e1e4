/**
 * The plumbing Slope's own packages share, kept off the main entry so that `@slope/core` is the user's API: the
 * active kernels, the allocator that `reuseBuffers` redirects, the fused forwards and backwards the graph's nodes
 * call, the index helpers of pooling, and the checks every package runs on its arguments. Not a stable API: any
 * release may change it without notice.
 *
 * @module @slope/core/internal
 */
export { allocate, keepingOwner, ownedArray, ownedBytes, ownedIndices, ownedView, reusingBuffers } from "../buffers.js";
export { ownedTensor } from "../create.js";
export { kernelMemory } from "../kernels/wasm/kernel-memory.js";
export { kernels } from "../kernels/index.js";
export { checkOptions } from "../options.js";
export { checkList, checkShape } from "../shape.js";
export { rowsOutput } from "../ops/layout.js";
export { checkLabels, softmaxCrossEntropyForward, multiclassHingeForward } from "../ops/losses.js";
export {
  type NormalizationForward,
  type NormalizationBackward,
  batchNormForward,
  batchNormBackward,
  layerNormForward,
  layerNormBackward,
  dropoutMask,
} from "../ops/normalization.js";
export {
  scatterAddAt,
  gatherAt,
  avgPoolWindows,
  adaptiveAvgPoolWindows,
  windowAverage,
  windowAverageBackward,
} from "../ops/pooling.js";
