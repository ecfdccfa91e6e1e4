import type { FloatArray } from "../dtype.js";

/** Elementwise ops of two operands. Comparisons write 1 for true and 0 for false. */
export type BinaryOp =
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "pow"
  | "maximum"
  | "minimum"
  | "equal"
  | "notEqual"
  | "greater"
  | "greaterEqual"
  | "less"
  | "lessEqual";

/** Elementwise ops of one operand. */
export type UnaryOp =
  | "neg"
  | "exp"
  | "log"
  | "sqrt"
  | "square"
  | "abs"
  | "sign"
  | "reciprocal"
  | "tanh"
  | "sigmoid"
  | "relu"
  | "step"
  | "sin"
  | "cos"
  | "log1p"
  | "expm1"
  | "erf";

/** Reductions along one axis. */
export type ReduceOp = "sum" | "max" | "min";

/** Index-of reductions along one axis. */
export type ArgReduceOp = "argmax" | "argmin";

/**
 * A strided view of an operand laid over the output's shape: `strides[d]` is 0 along a broadcast
 * dimension. Kernels walk the output in row-major order.
 */
export interface StridedOperand {
  /** The operand's elements. */
  data: FloatArray;
  /** The step in `data` per index of each axis of the output's shape; 0 along a broadcast axis. */
  strides: readonly number[];
}

/** Where one image's receptive fields lie: im2col and col2im's geometry (one image of channels × height × width). */
export interface Conv2dGeometry {
  /** The input's channels. */
  channels: number;
  /** The input's height. */
  height: number;
  /** The input's width. */
  width: number;
  /** The kernel's height. */
  kernelH: number;
  /** The kernel's width. */
  kernelW: number;
  /** Rows between vertically adjacent windows. */
  strideH: number;
  /** Columns between horizontally adjacent windows. */
  strideW: number;
  /** Zero rows added above the input (those below follow from outH). */
  padTop: number;
  /** Zero columns added left of the input (those to the right follow from outW). */
  padLeft: number;
  /** Rows between a kernel's taps (1: adjacent). */
  dilationH: number;
  /** Columns between a kernel's taps (1: adjacent). */
  dilationW: number;
  /** The output's height: ⌊(height + padding − dilationH·(kernelH − 1) − 1) / strideH⌋ + 1, padding both sides'. */
  outH: number;
  /** The output's width, likewise. */
  outW: number;
}

/** A whole convolution: `batch` images of the geometry's size, `groups` groups, `outChannels` output channels. */
export interface Conv2dShape extends Conv2dGeometry {
  /** Images in the batch. */
  batch: number;
  /** Groups: each output channel sees channels / groups input channels. */
  groups: number;
  /** Output channels. */
  outChannels: number;
}

/** A max-pooling window's geometry over planes of height × width. */
export type Pool2dGeometry = Omit<Conv2dGeometry, "channels">;

/**
 * Separable averaging windows over planes of height × width: output row oy averages input rows
 * [rows[2oy], rows[2oy+1]), column ox columns [cols[2ox], cols[2ox+1]), divided by rowCounts[oy]·colCounts[ox]
 * (the window's size, which counts padding when average pooling is asked to).
 */
export interface WindowAverage {
  /** The input plane's height. */
  height: number;
  /** The input plane's width. */
  width: number;
  /** For each output row oy, the input rows [rows[2oy], rows[2oy+1]) it averages. */
  rows: Int32Array;
  /** For each output column ox, the input columns [cols[2ox], cols[2ox+1]) it averages. */
  cols: Int32Array;
  /** For each output row, the window's height as the divisor counts it. */
  rowCounts: Int32Array;
  /** For each output column, the window's width as the divisor counts it. */
  colCounts: Int32Array;
}

/**
 * Everything core computes elementwise, by reduction, by matrix product or by copying. Ops check
 * their arguments and then call one of these; a backend (plain JS now, WebAssembly later) is an
 * object of this shape, swapped in with `setKernels`.
 */
export interface Kernels {
  /** The backend's name ("js", "wasm-simd", "wasm-simd × 4 threads"), for traces and benchmarks. */
  readonly name: string;
  /** out[i] = a[i] ∘ b[i] over `shape`, where the operands are strided (broadcast) views. */
  binary(op: BinaryOp, out: FloatArray, shape: readonly number[], a: StridedOperand, b: StridedOperand): void;
  /** out[i] = f(x[i]) over `size` contiguous elements. */
  unary(op: UnaryOp, out: FloatArray, x: FloatArray): void;
  /** out[i] = min(max(x[i], low), high). */
  clip(out: FloatArray, x: FloatArray, low: number, high: number): void;
  /** out[i] = cond[i] ≠ 0 ? a[i] : b[i] over `shape`, all three strided views. */
  where(out: FloatArray, shape: readonly number[], cond: StridedOperand, a: StridedOperand, b: StridedOperand): void;
  /** Reduces the middle axis of x viewed as [outer, length, inner] into out [outer, inner]. */
  reduce(op: ReduceOp, out: FloatArray, x: FloatArray, outer: number, length: number, inner: number): void;
  /** The index along the middle axis of [outer, length, inner] of the first max (or min); NaN wins. */
  argReduce(op: ArgReduceOp, out: FloatArray, x: FloatArray, outer: number, length: number, inner: number): void;
  /**
   * out[m×n] = op(a)·op(b) where op transposes when asked: a is stored [m, k] (or [k, m] when
   * transposeA), b is stored [k, n] (or [n, k] when transposeB). Offsets select one matrix of a batch.
   */
  matmul(
    out: FloatArray,
    outOffset: number,
    a: FloatArray,
    aOffset: number,
    b: FloatArray,
    bOffset: number,
    m: number,
    k: number,
    n: number,
    transposeA: boolean,
    transposeB: boolean,
  ): void;
  /** y[i] = y[i] + α·x[i] in place, over y's length (a gradient step is α = −lr), computed in double precision. */
  axpy(y: FloatArray, alpha: number, x: FloatArray): void;
  /** Σᵢ x[i]², each square and the sum in double precision (an L2 penalty). */
  sumOfSquares(x: FloatArray): number;
  /** out[r, :] = x[indices[r], :] for rows of `rowLength` elements. */
  gatherRows(out: FloatArray, x: FloatArray, rowLength: number, indices: ArrayLike<number>): void;
  /**
   * Bytes to floats, row by row: out[r·outStride + k] = (bytes[rows[r]·rowLength + k] − offset[k])·factor
   * for k < rowLength, each value in double precision and rounded once (uint8 images to features:
   * offset a mean image, or none for 0). Columns of out past rowLength are left as they are.
   */
  bytesToFloats(
    out: FloatArray,
    outStride: number,
    bytes: Uint8Array,
    rowLength: number,
    rows: ArrayLike<number>,
    offset: FloatArray | null,
    factor: number,
  ): void;
  /** out [batch, O, outH·outW] = the convolution (no bias) of x [batch, C, H, W] with w [O, C/groups, kh, kw]. */
  conv2d(out: FloatArray, x: FloatArray, w: FloatArray, shape: Conv2dShape): void;
  /** dx [batch, C, H, W] = the gradient of conv2d with respect to x, given g [batch, O, outH·outW]; dx is written in full. */
  conv2dBackwardInput(dx: FloatArray, g: FloatArray, w: FloatArray, shape: Conv2dShape): void;
  /** dw [O, C/groups, kh, kw] = the gradient of conv2d with respect to w, given x and g; dw is written in full. */
  conv2dBackwardWeight(dw: FloatArray, x: FloatArray, g: FloatArray, shape: Conv2dShape): void;
  /** cols [channels·kh·kw, outH·outW] = the receptive fields of the image at x[xOffset] (zero outside it). */
  im2col(cols: FloatArray, x: FloatArray, xOffset: number, geometry: Conv2dGeometry): void;
  /** dx (image at dxOffset) += the adjoint of im2col applied to cols. */
  col2im(dx: FloatArray, dxOffset: number, cols: FloatArray, geometry: Conv2dGeometry): void;
  /** out = the window maxima of `planes` planes of x (NaN wins, padding never does); argmax = their flat indices into x. */
  maxPool2d(out: FloatArray, argmax: Int32Array, x: FloatArray, planes: number, geometry: Pool2dGeometry): void;
  /**
   * out[indices[i]] += x[i] in order, once every index is in [0, out.length): returns −1, or the position of the first
   * index outside it (and then changes nothing).
   */
  scatterAddAt(out: FloatArray, x: FloatArray, indices: Int32Array): number;
  /** out[i] = x[indices[i]]. */
  gatherAt(out: FloatArray, x: FloatArray, indices: Int32Array): void;
  /** out = the window averages of `planes` planes of x (average pooling, adaptive average pooling). */
  windowAverage(out: FloatArray, x: FloatArray, planes: number, windows: WindowAverage): void;
  /** dx += the adjoint of windowAverage applied to g. */
  windowAverageBackward(dx: FloatArray, g: FloatArray, planes: number, windows: WindowAverage): void;
  /** out[indices[r], :] += x[r, :] for rows of `rowLength` elements (the adjoint of gatherRows). */
  scatterAddRows(out: FloatArray, x: FloatArray, rowLength: number, indices: ArrayLike<number>): void;
  /** out = x with its axes permuted: out.shape[d] = shape[perm[d]]. */
  transpose(out: FloatArray, x: FloatArray, shape: readonly number[], perm: readonly number[]): void;
  /**
   * Softmax cross-entropy over rows of scores [n, c]: writes probs = softmax(row) and returns
   * Σᵢ −log softmax(sᵢ)_{yᵢ} = Σᵢ (log Σⱼ e^{sᵢⱼ−mᵢ} − (s_{i,yᵢ} − mᵢ)), mᵢ the row max (never overflows).
   */
  softmaxCrossEntropy(probs: FloatArray, scores: FloatArray, labels: ArrayLike<number>, n: number, c: number): number;
  /**
   * Multiclass hinge over rows of scores [n, c]: returns Σᵢ Σ_{j≠yᵢ} max(0, sᵢⱼ − s_{i,yᵢ} + Δ) and writes
   * the subgradient coefficients: 1(margin > 0) for j ≠ yᵢ, minus the count of positive margins at yᵢ.
   */
  multiclassHinge(
    coefficients: FloatArray,
    scores: FloatArray,
    labels: ArrayLike<number>,
    n: number,
    c: number,
    delta: number,
  ): number;
  // Normalization (kernels/normalization.ts): x viewed as [outer, channels, inner], statistics per channel over
  // its outer·inner elements (batch norm of [N, C, H, W]: [N, C, H·W]; layer norm of rows [R, D]: [1, R, D]).
  /** mean[c] = Σx/n and the biased variance[c] = Σ(x − mean[c])²/n per channel, accumulated in float64. */
  batchNormStatistics(
    mean: Float64Array,
    variance: Float64Array,
    x: FloatArray,
    outer: number,
    channels: number,
    inner: number,
  ): void;
  /** x̂ = (x − mean[c])·invStd[c] (into `normalized` when given), out = x̂·weight[c] + bias[c] (null: 1 and 0). */
  batchNormForward(
    out: FloatArray,
    normalized: FloatArray | null,
    x: FloatArray,
    outer: number,
    channels: number,
    inner: number,
    mean: Float64Array,
    invStd: Float64Array,
    weight: FloatArray | null,
    bias: FloatArray | null,
  ): void;
  /**
   * The adjoint of batchNormForward from g and the saved x̂, with sums per channel in float64: dWeight = Σg·x̂,
   * dBias = Σg, and dx = (γ·inv/n)·(n·g − Σg − x̂·Σg·x̂) when the statistics came from x (`training`), else g·γ·inv.
   * Null outputs are skipped.
   */
  batchNormBackward(
    dx: FloatArray | null,
    dWeight: FloatArray | null,
    dBias: FloatArray | null,
    g: FloatArray,
    normalized: FloatArray,
    outer: number,
    channels: number,
    inner: number,
    invStd: Float64Array,
    weight: FloatArray | null,
    training: boolean,
  ): void;
}
