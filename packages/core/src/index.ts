/**
 * Tensors for Slope: n-dimensional float32/float64 arrays over contiguous row-major typed arrays,
 * numpy broadcasting, reductions, a cache-blocked `matmul` that reads either operand transposed in
 * place, convolution and pooling kernels, row gathers for mini-batches and a seeded `Rng`. Imports no
 * Node built-ins, so it runs in a browser unchanged. dtypes never mix silently: float32 with float64
 * is a `DTypeError` (cast explicitly).
 *
 * Slope's own packages also use `@slope/core/internal` (the active kernels, the allocator, the fused forwards the
 * graph's nodes call, argument checks): plumbing, not part of this API.
 *
 * @module @slope/core
 */
export { type DType, type FloatArray, DEFAULT_DTYPE, dtypeOf } from "./dtype.js";
export { type ReuseStats, type ReusedStep, reuseBuffers, persistent } from "./buffers.js";
export { SlopeError, ShapeError, DTypeError, IndexError, ValueError, DataFormatError, formatShape } from "./errors.js";
export { ThreadError } from "./errors.js";
export { BufferReuseError } from "./buffers.js";
export { MAX_TENSOR_SIZE } from "./shape.js";
export { broadcastShapes, sizeOf, stridesOf, sameShape, normalizeAxis, normalizeAxes, unravelIndex } from "./shape.js";
export { Tensor, type NestedArray } from "./tensor.js";
export { Rng, type RngState } from "./rng.js";
export {
  type TensorOptions,
  tensor,
  fromData,
  scalar,
  full,
  zeros,
  ones,
  zerosLike,
  onesLike,
  clone,
  arange,
  eye,
  randn,
  rand,
} from "./create.js";
export type { Operand } from "./ops/operands.js";
export {
  add,
  sub,
  mul,
  div,
  pow,
  maximum,
  minimum,
  equal,
  notEqual,
  greater,
  greaterEqual,
  less,
  lessEqual,
  neg,
  exp,
  log,
  sqrt,
  square,
  abs,
  sign,
  reciprocal,
  tanh,
  sigmoid,
  relu,
  step,
  clip,
  where,
} from "./ops/elementwise.js";
export { sin, cos, log1p, expm1, erf } from "./ops/elementwise.js";
export { type Axis, sum, mean, max, min, argmax, argmin } from "./ops/reduce.js";
export { type MatmulOptions, matmul } from "./ops/matmul.js";
export {
  type Pair,
  type Conv2dOptions,
  conv2d,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  slidingOutputSize,
} from "./ops/convolution.js";
export {
  type MaxPool2dOptions,
  type AvgPool2dOptions,
  maxPool2d,
  maxPool2dWithIndices,
  avgPool2d,
  adaptiveAvgPool2d,
} from "./ops/pooling.js";
export type { BatchNormOptions } from "./ops/normalization.js";
export {
  type GatherOptions,
  reshape,
  transpose,
  slice,
  concat,
  gather,
  cast,
  expandDims,
  squeeze,
  scatterAddRows,
  pad,
  broadcastTo,
  sumTo,
} from "./ops/layout.js";
export type { Labels } from "./ops/losses.js";
export {
  type Kernels,
  type BinaryOp,
  type UnaryOp,
  type ReduceOp,
  type ArgReduceOp,
  type StridedOperand,
  type Conv2dGeometry,
  type Conv2dShape,
  type Pool2dGeometry,
  type WindowAverage,
  jsKernels,
  createWasmKernels,
  setKernels,
} from "./kernels/index.js";
export { type EncodedArray, encodeArray, decodeArray, decodeBase64 } from "./encoding.js";
export { type Place, type PlacementRecord, type PlacementTrace, tracePlacement } from "./kernels/placement.js";
export { type MemoryPolicy, type MemoryStats, memoryStats } from "./kernels/wasm/kernel-memory.js";
