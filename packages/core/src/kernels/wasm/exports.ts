// What the kernels module exports, and the memory it runs on: the types every part of the WebAssembly backend shares.

/** The kernels' exports: pointers are byte offsets into the module's memory. */
export interface KernelExports {
  /** out[indices[i]] += x[i] in order once every index is in [0, size): −1, or the first bad position (nothing added). */
  scatterAdd(out: number, x: number, indices: number, n: number, size: number): number;
  /** `bytes` zero bytes from `at`. */
  zeroBytes(at: number, bytes: number): void;
  /** C[m×n] = A[m×k]·B[n×k]ᵀ, rows contiguous. */
  dotRows(a: number, b: number, c: number, m: number, k: number, n: number): void;
  /** C[m×n] = A[m×k]·B[k×n], rows contiguous. */
  rowsTimes(a: number, b: number, c: number, m: number, k: number, n: number): void;
  /** C[m×n] = A[k×m]ᵀ·B[k×n], A's rows lda floats apart; scratch holds 16·k floats. */
  transposedTimes(a: number, lda: number, b: number, c: number, m: number, k: number, n: number, scratch: number): void;
  /** c[i] = a[i] ∘ b[i], ∘ = add, sub, mul, div (op 0–3); a step of 0 repeats that operand's one value. */
  binary(op: number, a: number, aStep: number, b: number, bStep: number, c: number, n: number): void;
  /** c[i] = f(x[i]), f = neg, abs, sqrt, square, relu, step (op 0–5). */
  unary(op: number, x: number, c: number, n: number): void;
  /** dst[cols×rows] = src[rows×cols]ᵀ. */
  transpose(src: number, dst: number, rows: number, cols: number): void;
  /** y[i] += α·x[i] for i < n, in f64 rounded once to f32. */
  axpy(y: number, alpha: number, x: number, n: number): void;
  /** Σ x[i]² for i < n, in f64. */
  sumOfSquares(x: number, n: number): number;
  /** dst[r·dstStride + k] = (src[r·cols + k] − offset[k])·scale: uint8 rows to float32, in f64 rounded once. */
  bytesToFloats(
    src: number,
    rows: number,
    cols: number,
    offset: number,
    scale: number,
    dst: number,
    dstStride: number,
  ): void;
  /** bytesToFloats of the rows picked by `count` i32 indices at `rows`: dst row r = converted src row rows[r]. */
  gatherBytesToFloats(
    src: number,
    rows: number,
    count: number,
    cols: number,
    offset: number,
    scale: number,
    dst: number,
    dstStride: number,
  ): void;
  /**
   * conv2d for images first … first + count − 1: im2col of each into `cols`, then blockedProduct per group into out;
   * the geometry is 16 i32s at `shape` (see assembly/kernels.ts).
   */
  conv2dImages(
    x: number,
    w: number,
    out: number,
    cols: number,
    packedA: number,
    packedB: number,
    shape: number,
    first: number,
    count: number,
  ): void;
  /** conv2d's gradient with respect to x for images first … first + count − 1 (dx zeroed first), as conv2dImages. */
  conv2dBackwardInputImages(
    g: number,
    w: number,
    dx: number,
    cols: number,
    packedA: number,
    packedB: number,
    shape: number,
    first: number,
    count: number,
  ): void;
  /** One image's receptive fields as columns [channels·kh·kw, oh·ow], zero outside the image. */
  im2col(
    x: number,
    dst: number,
    channels: number,
    height: number,
    width: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    pt: number,
    pl: number,
    dh: number,
    dw: number,
    oh: number,
    ow: number,
  ): void;
  /** The adjoint of im2col: dx += the columns' entries where im2col read them. */
  col2im(
    src: number,
    dx: number,
    channels: number,
    height: number,
    width: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    pt: number,
    pl: number,
    dh: number,
    dw: number,
    oh: number,
    ow: number,
  ): void;
  /**
   * Per-channel mean and biased variance (f64 arrays of `channels` at `mean` and `variance`) of x viewed
   * [outer, channels, inner], for channels first … first + count − 1 (each channel alone: a thread takes a band).
   */
  channelMoments(
    x: number,
    outer: number,
    channels: number,
    inner: number,
    mean: number,
    variance: number,
    first: number,
    count: number,
  ): void;
  /**
   * x̂ = (x − mean)·invStd (to `normalized` unless 0), out = x̂·w + b, for channels first … first + count − 1; mean and
   * invStd f64, w and b float32 (or 0: none).
   */
  batchNormApply(
    x: number,
    out: number,
    normalized: number,
    outer: number,
    channels: number,
    inner: number,
    mean: number,
    invStd: number,
    weight: number,
    bias: number,
    first: number,
    count: number,
  ): void;
  /**
   * Σg and Σg·x̂ per channel into `sums` (f64 scratch; skipped when 0), written as float32 to dBias and dWeight unless 0,
   * then dx (unless 0) as batch norm's backward pass with scale = γ·invStd (γ float32, or 1 when `weight` is 0), for
   * channels first … first + count − 1.
   */
  batchNormGradients(
    g: number,
    normalized: number,
    dx: number,
    outer: number,
    channels: number,
    inner: number,
    weight: number,
    invStd: number,
    training: boolean,
    sums: number,
    dWeight: number,
    dBias: number,
    first: number,
    count: number,
  ): void;
  /** 2×2 max pooling with stride 2 (floor mode) over planes first … first + count − 1 of height × width: maxima and their flat indices. */
  maxPool2x2(
    x: number,
    out: number,
    argmax: number,
    planes: number,
    height: number,
    width: number,
    first: number,
    count: number,
  ): void;
  /**
   * C[m×n] (+)= op(A)·op(B), rows lda, ldb, ldc floats apart, cache-blocked over packed panels; packedA and packedB
   * are scratch of PACKED_A_FLOATS and PACKED_B_FLOATS floats.
   */
  blockedProduct(
    a: number,
    lda: number,
    transA: boolean,
    b: number,
    ldb: number,
    transB: boolean,
    c: number,
    ldc: number,
    m: number,
    k: number,
    n: number,
    add: boolean,
    packedA: number,
    packedB: number,
  ): void;
}

/** The module's memory, its own or shared between threads. */
export interface WasmMemory {
  buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

/** Runs the kernels: here, on this thread; the threads' runner splits the large calls into bands across the threads. */
export interface KernelRunner extends KernelExports {
  readonly threads: number;
}
