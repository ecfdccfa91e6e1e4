import type { FloatArray } from "../dtype.js";

/** Elementwise ops of two operands. Comparisons write 1 for true and 0 for false. */
export type BinaryOp =
  | "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum"
  | "equal" | "notEqual" | "greater" | "greaterEqual" | "less" | "lessEqual";

/** Elementwise ops of one operand. */
export type UnaryOp =
  | "neg" | "exp" | "log" | "sqrt" | "square" | "abs" | "sign" | "reciprocal"
  | "tanh" | "sigmoid" | "relu" | "step";

/** Reductions along one axis. */
export type ReduceOp = "sum" | "max" | "min";

/** Index-of reductions along one axis. */
export type ArgReduceOp = "argmax" | "argmin";

/**
 * A strided view of an operand laid over the output's shape: `strides[d]` is 0 along a broadcast
 * dimension. Kernels walk the output in row-major order.
 */
export interface StridedOperand {
  data: FloatArray;
  strides: readonly number[];
}

/**
 * Everything core computes elementwise, by reduction, by matrix product or by copying. Ops check
 * their arguments and then call one of these; a backend (plain JS now, WebAssembly later) is an
 * object of this shape, swapped in with `setKernels`.
 */
export interface Kernels {
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
    out: FloatArray, outOffset: number,
    a: FloatArray, aOffset: number, b: FloatArray, bOffset: number,
    m: number, k: number, n: number, transposeA: boolean, transposeB: boolean,
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
  bytesToFloats(out: FloatArray, outStride: number, bytes: Uint8Array, rowLength: number, rows: ArrayLike<number>, offset: FloatArray | null, factor: number): void;
  /**
   * Float32 arrays of these sizes (zero-filled) that live in the kernels' own memory, where ops
   * read and write them in place instead of copying them in and out: `reuseBuffers` moves a step's
   * buffers there once its shapes are steady. Null, or absent, when the backend has no such memory.
   */
  residentArrays?(sizes: readonly number[]): Float32Array[] | null;
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
  multiclassHinge(coefficients: FloatArray, scores: FloatArray, labels: ArrayLike<number>, n: number, c: number, delta: number): number;
}
