// The WebAssembly kernels over the kernel memory: where a call's operands go in it (where
// they live, or copied into scratch), and the calls into the module. wasm-backend.ts decides which
// instance runs an op.
import type { FloatArray } from "../../dtype.js";
import type { KernelRunner } from "./exports.js";
import type { KernelMemory } from "./kernel-memory.js";

export type { KernelExports, KernelRunner, WasmMemory } from "./exports.js";
import { collapseLoop } from "../strided.js";
import { type Place, placement } from "../placement.js";
import { placementPolicy } from "./policy.js";
import type { BinaryOp, Conv2dShape, Pool2dGeometry, StridedOperand, UnaryOp } from "../types.js";

/** Below this inner dimension a dot product is mostly loop overhead: the product goes through rowsTimes. */
const SHORT_K = 32;

/** Floats of output per chunk of bytesToFloats (16 MB): the rows' bytes in the module are a quarter of that. */
const BYTES_CHUNK_FLOATS = 1 << 22;

/** Floats of receptive-field rows a convolution lays out at a time (8 MB): the images of a chunk share one product. */
const CONV_CHUNK_FLOATS = 1 << 21;

/** Scratch floats of blockedProduct's packed panels of A (MC·KC) and of B (KC·NC), per thread. */
export const PACKED_A_FLOATS = 64 * 256,
  PACKED_B_FLOATS = 256 * 512;

/** The geometry arguments of im2col and col2im, in their order. */
function receptiveFields(
  s: Conv2dShape,
): [number, number, number, number, number, number, number, number, number, number, number, number, number] {
  return [
    s.channels,
    s.height,
    s.width,
    s.kernelH,
    s.kernelW,
    s.strideH,
    s.strideW,
    s.padTop,
    s.padLeft,
    s.dilationH,
    s.dilationW,
    s.outH,
    s.outW,
  ];
}

const { minProductWork: MIN_WORK, minElementwise: MIN_ELEMENTWISE, minRow: MIN_ROW } = placementPolicy;

/**
 * Floats an elementwise operand occupies over rows × cols, from its steps per row and per element:
 * all of them, one row repeated, or one value; −1 for any other layout (a column repeated).
 */
function operandFloats(rowStep: number, step: number, rows: number, cols: number): number {
  if (step === 0) return rowStep === 0 ? 1 : -1;
  if (step !== 1) return -1;
  return rowStep === 0 ? cols : rowStep === cols ? rows * cols : -1;
}

/** The elementwise ops the module has, by its op number. */
const ELEMENTWISE: Partial<Record<BinaryOp, number>> = { add: 0, sub: 1, mul: 2, div: 3 };

/** The one-operand ops the module has, by its op number. */
const UNARY: Partial<Record<UnaryOp, number>> = { neg: 0, abs: 1, sqrt: 2, square: 3, relu: 4, step: 5 };

/** `floats` rounded up to whole 16-byte vectors. @internal */
export const vectors = (floats: number): number => Math.ceil(floats / 4) * 4; // in doubles: `(floats + 3) & ~3` wraps at 2³¹

/**
 * float32 work on WebAssembly SIMD (AssemblyScript, assembly/kernels.ts): the matrix products,
 * elementwise add/sub/mul/div and neg/abs/sqrt/square/relu/step, axpy, the sum of squares, bytes
 * to floats (a batch gathered from image rows), convolutions, batch norm, 2×2 max pooling and its
 * backward scatter; everything else, every float64 op and calls too small by the placement policy
 * (policy.ts) are the JavaScript kernels'. An operand that lives in the
 * kernel memory (owned storage, see kernel-memory.ts) is used where it is; the others are copied into
 * scratch past the owned region. Which product kernel runs:
 *   A·B, A·Bᵀ:  dotRows when k ≥ 32 (on Bᵀ for A·B, transposed in scratch, O(k·n)),
 *               else rowsTimes (on Bᵀ for A·Bᵀ);
 *   Aᵀ·B, Aᵀ·Bᵀ: transposedTimes (on Bᵀ for Aᵀ·Bᵀ).
 * One object per runner over the same memory: this thread's instance, and the threads' runner.
 */
export class WasmKernels {
  constructor(
    private readonly memory: KernelMemory,
    private readonly exports: KernelRunner,
    /** Where a call that runs here ran, for `tracePlacement`. */
    private readonly label: Place,
  ) {}

  /**
   * The heap with room for `floats` of scratch from the layout's start; null when the memory cannot grow that far
   * (the call then declines and runs elsewhere). Call before taking the heap: growing replaces it.
   */
  private reserve(floats: number): Float32Array | null {
    const heap = this.memory.scratch(floats);
    if (heap !== null) placement.ranIn(this.label); // every call that runs here takes its scratch first
    return heap;
  }

  /** The heap index of `array[offset]` when the array lives in the kernel memory, else −1. */
  private residentAt(array: FloatArray, offset: number): number {
    return array instanceof Float32Array && this.memory.holds(array) ? array.byteOffset / 4 + offset : -1;
  }

  /** Copies `count` floats of `source` from `from` to heap position `to`. */
  private copyIn(heap: Float32Array, source: FloatArray, from: number, count: number, to: number): void {
    placement.copied(count * 4);
    if (from === 0 && source.length === count) heap.set(source, to);
    else heap.set(source.subarray(from, from + count), to);
  }

  /** The next free float of scratch while a call lays out its operands (`startLayout`, `place`). */
  private next = 0;
  /** Where this call's scratch starts. */
  private scratchStart = 0;

  /** Starts laying out a call's operands at the start of scratch. */
  private startLayout(): void {
    this.scratchStart = this.next = this.memory.scratchStart;
  }

  /** The next `floats` of scratch (16-byte aligned): where an operand is copied in, or a result written. */
  private scratch(floats: number): number {
    const at = this.next;
    this.next += vectors(floats);
    return at;
  }

  /** An operand's heap index: where it lives (`resident` ≥ 0), else the next `floats` of scratch. */
  private place(resident: number, floats: number): number {
    return resident >= 0 ? resident : this.scratch(floats);
  }

  /** Floats of scratch laid out so far in this call. */
  private get used(): number {
    return this.next - this.scratchStart;
  }

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
  ): boolean {
    if (!(out instanceof Float32Array) || m * k * n < MIN_WORK) return false;
    // B as the kernel reads it: [k, n] for transposedTimes and rowsTimes, [n, k] for dotRows.
    // When it is stored the other way round it is transposed into scratch.
    const flipB = transposeA || k < SHORT_K ? transposeB : !transposeB;
    const residentA = this.residentAt(a, aOffset),
      residentB = this.residentAt(b, bOffset),
      residentC = this.residentAt(out, outOffset);
    // Layout: A, B, C (each where it lives, or copied into scratch), then scratch: one 16·k-float
    // panel per thread where transposedTimes packs A, or B as given before it is transposed.
    this.startLayout();
    const offA = this.place(residentA, m * k);
    const offB = this.place(flipB ? -1 : residentB, k * n);
    const offC = this.place(residentC, m * n);
    const offScratch = this.scratch(
      Math.max(flipB && residentB < 0 ? k * n : 0, transposeA ? 16 * k * this.exports.threads : 0),
    );
    const heap = this.reserve(this.used);
    if (heap === null) return false;
    if (residentA < 0) this.copyIn(heap, a, aOffset, m * k, offA);
    if (flipB) {
      let stored = residentB;
      if (stored < 0) {
        this.copyIn(heap, b, bOffset, k * n, offScratch);
        stored = offScratch;
      }
      if (transposeB) this.exports.transpose(stored * 4, offB * 4, n, k);
      else this.exports.transpose(stored * 4, offB * 4, k, n);
    } else if (residentB < 0) {
      this.copyIn(heap, b, bOffset, k * n, offB);
    }
    if (transposeA) this.exports.transposedTimes(offA * 4, m, offB * 4, offC * 4, m, k, n, offScratch * 4);
    else if (k >= SHORT_K) this.exports.dotRows(offA * 4, offB * 4, offC * 4, m, k, n);
    else this.exports.rowsTimes(offA * 4, offB * 4, offC * 4, m, k, n);
    if (residentC < 0) this.copyOut(heap, out, outOffset, offC, m * n);
    return true;
  }

  /**
   * out = a ∘ b for add, sub, mul and div over float32 when, after collapsing, the loop is one run,
   * or rows of at least MIN_ROW elements, with each operand all there (same shapes), one row
   * repeated (a bias added to every row) or one value (a scalar); false for everything else
   * (columns broadcast, other ops), which the JavaScript kernel does.
   */
  binary(op: BinaryOp, out: FloatArray, shape: readonly number[], a: StridedOperand, b: StridedOperand): boolean {
    const code = ELEMENTWISE[op];
    if (code === undefined || !(out instanceof Float32Array) || out.length < MIN_ELEMENTWISE) return false;
    if (!(a.data instanceof Float32Array) || !(b.data instanceof Float32Array)) return false;
    const loop = collapseLoop(shape, [a.strides, b.strides]);
    if (loop.shape.length > 2) return false;
    const cols = loop.shape.at(-1)!,
      rows = out.length / cols;
    if (rows > 1 && cols < MIN_ROW) return false;
    // Each operand's step from row to row and from element to element (0: repeated); the loop has one stride
    // list per operand, one stride per dimension.
    const steps = (s: readonly number[]): [number, number] => (rows > 1 ? [s[0]!, s[1]!] : [0, s[0]!]);
    const [aRow, aStep] = steps(loop.strides[0]!),
      [bRow, bStep] = steps(loop.strides[1]!);
    const floatsA = operandFloats(aRow, aStep, rows, cols),
      floatsB = operandFloats(bRow, bStep, rows, cols);
    if (floatsA < 0 || floatsB < 0) return false;
    const residentA = this.residentAt(a.data, 0),
      residentB = this.residentAt(b.data, 0),
      residentC = this.residentAt(out, 0);
    this.startLayout();
    const offA = this.place(residentA, floatsA),
      offB = this.place(residentB, floatsB),
      offC = this.place(residentC, out.length);
    const heap = this.reserve(this.used);
    if (heap === null) return false;
    if (residentA < 0) this.copyIn(heap, a.data, 0, floatsA, offA);
    if (residentB < 0) this.copyIn(heap, b.data, 0, floatsB, offB);
    for (let r = 0; r < rows; r++) {
      this.exports.binary(
        code,
        (offA + r * aRow) * 4,
        aStep,
        (offB + r * bRow) * 4,
        bStep,
        (offC + r * cols) * 4,
        cols,
      );
    }
    if (residentC < 0) this.copyOut(heap, out, 0, offC, out.length);
    return true;
  }

  /** out = f(x) for the ops the module has, over float32 arrays of at least MIN_ELEMENTWISE elements; false otherwise. */
  unary(op: UnaryOp, out: FloatArray, x: FloatArray): boolean {
    const code = UNARY[op];
    const n = out.length;
    if (code === undefined || !(out instanceof Float32Array) || !(x instanceof Float32Array) || n < MIN_ELEMENTWISE)
      return false;
    const residentX = this.residentAt(x, 0),
      residentC = this.residentAt(out, 0);
    this.startLayout();
    const offX = this.place(residentX, n);
    // A copy of x is scratch and can take the result; x where it lives cannot.
    const offC = this.place(residentC >= 0 ? residentC : residentX < 0 ? offX : -1, n);
    const heap = this.reserve(this.used);
    if (heap === null) return false;
    if (residentX < 0) this.copyIn(heap, x, 0, n, offX);
    this.exports.unary(code, offX * 4, offC * 4, n);
    if (residentC < 0) this.copyOut(heap, out, 0, offC, n);
    return true;
  }

  /** y += α·x over float32 arrays of at least MIN_ELEMENTWISE elements; false otherwise. */
  axpy(y: FloatArray, alpha: number, x: FloatArray): boolean {
    const n = y.length;
    if (!(y instanceof Float32Array) || !(x instanceof Float32Array) || n < MIN_ELEMENTWISE || x.length < n)
      return false;
    const residentY = this.residentAt(y, 0),
      residentX = this.residentAt(x, 0);
    this.startLayout();
    const offY = this.place(residentY, n),
      offX = this.place(residentX, n);
    const heap = this.reserve(this.used);
    if (heap === null) return false;
    if (residentY < 0) this.copyIn(heap, y, 0, n, offY);
    if (residentX < 0) this.copyIn(heap, x, 0, n, offX);
    this.exports.axpy(offY * 4, alpha, offX * 4, n);
    if (residentY < 0) this.copyOut(heap, y, 0, offY, n);
    return true;
  }

  /** Σ x² of a float32 array of at least MIN_ELEMENTWISE elements; null otherwise. */
  sumOfSquares(x: FloatArray): number | null {
    if (!(x instanceof Float32Array) || x.length < MIN_ELEMENTWISE) return null;
    const residentX = this.residentAt(x, 0);
    this.startLayout();
    const offX = this.place(residentX, x.length);
    const heap = this.reserve(this.used);
    if (heap === null) return null;
    if (residentX < 0) this.copyIn(heap, x, 0, x.length, offX);
    return this.exports.sumOfSquares(offX * 4, x.length);
  }

  /**
   * Bytes to float32 rows (see Kernels.bytesToFloats) when out is float32 and there are at least
   * MIN_ELEMENTWISE values; false otherwise. Rows of a data set that lives in the kernel memory are read where they
   * are, row by row, into `out` where it lives: a gathered, converted batch with nothing copied. Bytes from the
   * JavaScript heap are copied in (a quarter of the floats that come out), a chunk of rows at a time.
   */
  bytesToFloats(
    out: FloatArray,
    outStride: number,
    bytes: Uint8Array,
    rowLength: number,
    rows: ArrayLike<number>,
    offset: FloatArray | null,
    factor: number,
  ): boolean {
    if (
      !(out instanceof Float32Array) ||
      (offset !== null && !(offset instanceof Float32Array)) ||
      rows.length * rowLength < MIN_ELEMENTWISE
    )
      return false;
    const residentOut = this.residentAt(out, 0),
      residentOffset = offset === null ? -1 : this.residentAt(offset, 0);
    // A data set that lives here is gathered where it is, by row indices read where they live (a loader's order) or
    // written into scratch; bytes from the heap are copied in, a chunk of rows at a time, and converted in order.
    const residentBytes = this.memory.holds(bytes) ? bytes.byteOffset : -1;
    const residentRows =
      residentBytes < 0 ? -1 : rows instanceof Int32Array && this.memory.holds(rows) ? rows.byteOffset / 4 : -1;
    const chunk = residentOut >= 0 ? rows.length : Math.max(1, Math.floor(BYTES_CHUNK_FLOATS / rowLength));
    this.startLayout();
    const offOffset = this.place(residentOffset, rowLength),
      offRows = residentBytes < 0 ? 0 : this.place(residentRows, rows.length),
      offBytes = residentBytes >= 0 ? 0 : this.scratch(Math.ceil((chunk * rowLength) / 4));
    const offOut = residentOut >= 0 ? residentOut : this.scratch(chunk * rowLength);
    const heap = this.reserve(this.used);
    if (heap === null) return false;
    if (offset === null) heap.fill(0, offOffset, offOffset + rowLength);
    else if (residentOffset < 0) this.copyIn(heap, offset, 0, rowLength, offOffset);
    if (residentBytes >= 0 && residentRows < 0) {
      new Int32Array(heap.buffer, offRows * 4, rows.length).set(rows);
      placement.copied(rows.length * 4);
    }
    const heapBytes = new Uint8Array(heap.buffer);
    for (let first = 0; first < rows.length; first += chunk) {
      const count = Math.min(chunk, rows.length - first);
      const outAt = residentOut >= 0 ? offOut + first * outStride : offOut,
        stride = residentOut >= 0 ? outStride : rowLength;
      if (residentBytes >= 0) {
        const picked = (offRows + first) * 4;
        this.exports.gatherBytesToFloats(
          residentBytes,
          picked,
          count,
          rowLength,
          offOffset * 4,
          factor,
          outAt * 4,
          stride,
        );
      } else {
        for (let r = 0; r < count; r++) {
          const from = rows[first + r]! * rowLength;
          heapBytes.set(bytes.subarray(from, from + rowLength), offBytes * 4 + r * rowLength);
        }
        placement.copied(count * rowLength);
        this.exports.bytesToFloats(offBytes * 4, count, rowLength, offOffset * 4, factor, outAt * 4, stride);
      }
      if (residentOut >= 0) continue;
      if (outStride === rowLength) this.copyOut(heap, out, first * outStride, offOut, count * rowLength);
      else {
        for (let r = 0; r < count; r++)
          out.set(heap.subarray(offOut + r * rowLength, offOut + (r + 1) * rowLength), (first + r) * outStride);
        placement.copied(count * rowLength * 4);
      }
    }
    return true;
  }

  /** The heap index of a float64 or float32 array that lives in the kernel memory (its byte offset / 4), else −1. */
  private residentAnyAt(array: FloatArray): number {
    return this.memory.holds(array) ? array.byteOffset / 4 : -1;
  }

  /**
   * Where a per-channel array goes for a call: where it lives, else a copy in scratch (counted), laid out now and
   * filled by `fill` once the heap is reserved; 0 (no array) for null.
   */
  private perChannel(array: FloatArray | null, fills: (() => void)[]): number {
    if (array === null) return 0;
    const resident = this.residentAnyAt(array);
    if (resident >= 0) return resident;
    const floats = array instanceof Float64Array ? 2 * array.length : array.length;
    const at = this.scratch(floats);
    fills.push(() => {
      const heap = this.memory.heap();
      if (array instanceof Float64Array) new Float64Array(heap.buffer, at * 4, array.length).set(array);
      else heap.set(array, at);
      placement.copied(array.byteLength);
    });
    return at;
  }

  /** Copies per-channel results laid out in scratch back to their arrays (counted). */
  private static copyBack(copies: (() => void)[]): void {
    for (const copy of copies) copy();
  }

  /** Per-channel mean and biased variance of float32 x viewed [outer, channels, inner]; false for float64 or small x. */
  batchNormStatistics(
    mean: Float64Array,
    variance: Float64Array,
    x: FloatArray,
    outer: number,
    channels: number,
    inner: number,
  ): boolean {
    if (!(x instanceof Float32Array) || x.length < MIN_ELEMENTWISE) return false;
    const residentX = this.residentAt(x, 0);
    this.startLayout();
    const offX = this.place(residentX, x.length);
    const results: (() => void)[] = [];
    const out = (array: Float64Array): number => {
      const resident = this.residentAnyAt(array);
      if (resident >= 0) return resident;
      const at = this.scratch(2 * channels);
      results.push(() => {
        array.set(new Float64Array(this.memory.heap().buffer, at * 4, channels));
        placement.copied(channels * 8);
      });
      return at;
    };
    const offMean = out(mean),
      offVariance = out(variance);
    const heap = this.reserve(this.used);
    if (heap === null) return false;
    if (residentX < 0) this.copyIn(heap, x, 0, x.length, offX);
    this.exports.channelMoments(offX * 4, outer, channels, inner, offMean * 4, offVariance * 4, 0, channels);
    WasmKernels.copyBack(results);
    return true;
  }

  /** Batch norm's forward pass over float32 arrays (see Kernels.batchNormForward); false otherwise. */
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
  ): boolean {
    if (
      !(x instanceof Float32Array) ||
      !(out instanceof Float32Array) ||
      (normalized !== null && !(normalized instanceof Float32Array)) ||
      (weight !== null && !(weight instanceof Float32Array)) ||
      (bias !== null && !(bias instanceof Float32Array))
    )
      return false;
    if (x.length < MIN_ELEMENTWISE) return false;
    const residentX = this.residentAt(x, 0),
      residentOut = this.residentAt(out, 0);
    const residentNormalized = normalized === null ? -1 : this.residentAt(normalized, 0);
    this.startLayout();
    const offX = this.place(residentX, x.length),
      offOut = this.place(residentOut, x.length);
    const offNormalized = normalized === null ? 0 : this.place(residentNormalized, x.length);
    const fills: (() => void)[] = [];
    const offMean = this.perChannel(mean, fills),
      offInvStd = this.perChannel(invStd, fills),
      offWeight = this.perChannel(weight, fills),
      offBias = this.perChannel(bias, fills);
    const heap = this.reserve(this.used);
    if (heap === null) return false;
    if (residentX < 0) this.copyIn(heap, x, 0, x.length, offX);
    for (const fill of fills) fill();
    this.exports.batchNormApply(
      offX * 4,
      offOut * 4,
      offNormalized * 4,
      outer,
      channels,
      inner,
      offMean * 4,
      offInvStd * 4,
      offWeight * 4,
      offBias * 4,
      0,
      channels,
    );
    if (residentOut < 0) this.copyOut(heap, out, 0, offOut, x.length);
    if (normalized !== null && residentNormalized < 0) this.copyOut(heap, normalized, 0, offNormalized, x.length);
    return true;
  }

  /** Batch norm's backward pass over float32 arrays (see Kernels.batchNormBackward); false otherwise. */
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
  ): boolean {
    const float32 = (a: FloatArray | null) => a === null || a instanceof Float32Array;
    if (!(g instanceof Float32Array) || !(normalized instanceof Float32Array) || !float32(dx)) return false;
    if (!float32(dWeight) || !float32(dBias) || !float32(weight) || g.length < MIN_ELEMENTWISE) return false;
    const residentG = this.residentAt(g, 0),
      residentNormalized = this.residentAt(normalized, 0);
    const residentDx = dx === null ? -1 : this.residentAt(dx, 0);
    this.startLayout();
    const offG = this.place(residentG, g.length),
      offNormalized = this.place(residentNormalized, g.length);
    const offDx = dx === null ? 0 : this.place(residentDx, g.length);
    const needSums = training || dWeight !== null || dBias !== null;
    const fills: (() => void)[] = [];
    const offWeight = this.perChannel(weight, fills),
      offInvStd = this.perChannel(invStd, fills);
    const results: (() => void)[] = [];
    const gradient = (array: FloatArray | null): number => {
      if (array === null) return 0;
      const resident = this.residentAnyAt(array);
      if (resident >= 0) return resident;
      const at = this.scratch(channels);
      results.push(() => {
        array.set(this.memory.heap().subarray(at, at + channels));
        placement.copied(channels * 4);
      });
      return at;
    };
    const offDWeight = gradient(dWeight),
      offDBias = gradient(dBias);
    const offSums = needSums ? this.scratch(4 * channels) : 0; // the kernel's own f64 sums: scratch, not a copy
    const heap = this.reserve(this.used);
    if (heap === null) return false;
    if (residentG < 0) this.copyIn(heap, g, 0, g.length, offG);
    if (residentNormalized < 0) this.copyIn(heap, normalized, 0, g.length, offNormalized);
    for (const fill of fills) fill();
    this.exports.batchNormGradients(
      offG * 4,
      offNormalized * 4,
      offDx * 4,
      outer,
      channels,
      inner,
      offWeight * 4,
      offInvStd * 4,
      training,
      offSums * 4,
      offDWeight * 4,
      offDBias * 4,
      0,
      channels,
    );
    WasmKernels.copyBack(results);
    if (dx !== null && residentDx < 0) this.copyOut(heap, dx, 0, offDx, g.length);
    return true;
  }

  /** Max pooling over float32 planes when it is 2×2 with stride 2, no padding or dilation (and floor mode); false otherwise. */
  maxPool2d(out: FloatArray, argmax: Int32Array, x: FloatArray, planes: number, g: Pool2dGeometry): boolean {
    const twoByTwo =
      g.kernelH === 2 &&
      g.kernelW === 2 &&
      g.strideH === 2 &&
      g.strideW === 2 &&
      g.padTop === 0 &&
      g.padLeft === 0 &&
      g.dilationH === 1 &&
      g.dilationW === 1 &&
      g.outH === g.height >> 1 &&
      g.outW === g.width >> 1;
    if (!twoByTwo || !(out instanceof Float32Array) || !(x instanceof Float32Array) || x.length < MIN_ELEMENTWISE)
      return false;
    const residentX = this.residentAt(x, 0),
      residentOut = this.residentAt(out, 0),
      residentArgmax = this.memory.holds(argmax) ? argmax.byteOffset / 4 : -1;
    this.startLayout();
    const offX = this.place(residentX, x.length),
      offOut = this.place(residentOut, out.length),
      offArgmax = this.place(residentArgmax, out.length);
    const heap = this.reserve(this.used);
    if (heap === null) return false;
    if (residentX < 0) this.copyIn(heap, x, 0, x.length, offX);
    this.exports.maxPool2x2(offX * 4, offOut * 4, offArgmax * 4, planes, g.height, g.width, 0, planes);
    if (residentOut < 0) this.copyOut(heap, out, 0, offOut, out.length);
    if (residentArgmax < 0) {
      argmax.set(new Int32Array(heap.buffer, offArgmax * 4, out.length));
      placement.copied(out.length * 4);
    }
    return true;
  }

  /**
   * out[indices[i]] += x[i] over float32 (see Kernels.scatterAddAt): the index check and the scatter in one call; null
   * for float64 or short arrays. Operands that do not live in the kernel memory are copied in (and out back out).
   */
  scatterAddAt(out: FloatArray, x: FloatArray, indices: Int32Array): number | null {
    if (!(out instanceof Float32Array) || !(x instanceof Float32Array) || indices.length < MIN_ELEMENTWISE) return null;
    const n = indices.length;
    const residentOut = this.residentAt(out, 0),
      residentX = this.residentAt(x, 0),
      residentIndices = this.memory.holds(indices) ? indices.byteOffset / 4 : -1;
    this.startLayout();
    const offOut = this.place(residentOut, out.length),
      offX = this.place(residentX, n),
      offIndices = this.place(residentIndices, n);
    const heap = this.reserve(this.used);
    if (heap === null) return null;
    if (residentOut < 0) this.copyIn(heap, out, 0, out.length, offOut);
    if (residentX < 0) this.copyIn(heap, x, 0, n, offX);
    if (residentIndices < 0) {
      new Int32Array(heap.buffer, offIndices * 4, n).set(indices);
      placement.copied(n * 4);
    }
    const outside = this.exports.scatterAdd(offOut * 4, offX * 4, offIndices * 4, n, out.length);
    if (outside < 0 && residentOut < 0) this.copyOut(heap, out, 0, offOut, out.length);
    return outside;
  }

  /** Images per chunk of a convolution: as many as fit CONV_CHUNK_FLOATS of input (at least one). */
  private imagesPerChunk(s: Conv2dShape, floatsPerImage: number): number {
    return Math.max(1, Math.min(s.batch, Math.floor(CONV_CHUNK_FLOATS / floatsPerImage)));
  }

  /** Whether this instance takes a convolution: float32 operands. */
  private takesConv(s: Conv2dShape, ...arrays: FloatArray[]): boolean {
    return s.batch > 0 && arrays.every((a) => a instanceof Float32Array);
  }

  /** The packed-panel scratch of blockedProduct, one pair per thread: [offset of A's, offset of B's]. */
  private packedPanels(): [number, number] {
    return [this.scratch(PACKED_A_FLOATS * this.exports.threads), this.scratch(PACKED_B_FLOATS * this.exports.threads)];
  }

  /**
   * A convolution image by image through conv2dImages (a = x, b = out) or conv2dBackwardInputImages (a = g, b = dx):
   * on the threads' runner each thread takes a band of the images, with its own share of the fields' scratch and of
   * the packed panels. Operands that live in the kernel memory are used where they are; a batch from the heap is
   * copied in (and the result out) a chunk of images at a time, the weights once.
   */
  private byImages(backward: boolean, a: FloatArray, w: FloatArray, b: FloatArray, s: Conv2dShape): boolean {
    const positions = s.outH * s.outW,
      image = s.channels * s.height * s.width,
      k = (s.channels / s.groups) * s.kernelH * s.kernelW;
    const [imageA, imageB] = backward ? [s.outChannels * positions, image] : [image, s.outChannels * positions];
    const residentA = this.residentAt(a, 0),
      residentB = this.residentAt(b, 0),
      residentW = this.residentAt(w, 0);
    const chunk =
      residentA >= 0 && residentB >= 0 ? s.batch : this.imagesPerChunk(s, image + s.outChannels * positions);
    const colsFloats = vectors(s.groups * k * positions);
    this.startLayout();
    const offW = this.place(residentW, s.outChannels * k),
      offA = this.place(residentA, chunk * imageA),
      offB = this.place(residentB, chunk * imageB),
      offCols = this.scratch(colsFloats * this.exports.threads),
      [packedA, packedB] = this.packedPanels(),
      offShape = this.scratch(16);
    const heap = this.reserve(this.used);
    if (heap === null) return false;
    if (residentW < 0) this.copyIn(heap, w, 0, s.outChannels * k, offW);
    new Int32Array(heap.buffer, offShape * 4, 16).set([...receptiveFields(s), s.groups, s.outChannels, colsFloats]);
    const run = backward ? this.exports.conv2dBackwardInputImages : this.exports.conv2dImages;
    for (let first = 0; first < s.batch; first += chunk) {
      const count = Math.min(chunk, s.batch - first);
      const aAt = residentA >= 0 ? offA + first * imageA : offA,
        bAt = residentB >= 0 ? offB + first * imageB : offB;
      if (residentA < 0) this.copyIn(heap, a, first * imageA, count * imageA, offA);
      run(aAt * 4, offW * 4, bAt * 4, offCols * 4, packedA * 4, packedB * 4, offShape * 4, 0, count);
      if (residentB < 0) this.copyOut(heap, b, first * imageB, offB, count * imageB);
    }
    return true;
  }

  /**
   * conv2d: out[n, group] [O/G, oh·ow] = w[group] [O/G, K] · im2col(x[n])[group] [K, oh·ow] (K = C/G·kh·kw) through
   * blockedProduct, straight into NCHW, image by image (`byImages`).
   */
  conv2d(out: FloatArray, x: FloatArray, w: FloatArray, s: Conv2dShape): boolean {
    return this.takesConv(s, out, x, w) && this.byImages(false, x, w, out, s);
  }

  /** dx[n] = col2im(w[group]ᵀ [K, O/G] · g[n, group] [O/G, oh·ow]), image by image (`byImages`). */
  conv2dBackwardInput(dx: FloatArray, g: FloatArray, w: FloatArray, s: Conv2dShape): boolean {
    return this.takesConv(s, dx, g, w) && this.byImages(true, g, w, dx, s);
  }

  /** dw[group] = Σ_n g[n, group] [O/G, oh·ow] · im2col(x[n])[group]ᵀ through blockedProduct, adding image after image. */
  conv2dBackwardWeight(dw: FloatArray, x: FloatArray, g: FloatArray, s: Conv2dShape): boolean {
    if (!this.takesConv(s, dw, x, g)) return false;
    const positions = s.outH * s.outW,
      o = s.outChannels,
      image = s.channels * s.height * s.width;
    const k = (s.channels / s.groups) * s.kernelH * s.kernelW,
      og = o / s.groups;
    const residentX = this.residentAt(x, 0),
      residentG = this.residentAt(g, 0),
      residentDw = this.residentAt(dw, 0);
    const chunk = residentX >= 0 && residentG >= 0 ? s.batch : this.imagesPerChunk(s, image + o * positions);
    const fields = receptiveFields(s);
    this.startLayout();
    const offX = this.place(residentX, chunk * image),
      offG = this.place(residentG, chunk * o * positions);
    const offCols = this.scratch(s.groups * k * positions),
      offDw = this.place(residentDw, o * k),
      [packedA, packedB] = this.packedPanels();
    const heap = this.reserve(this.used);
    if (heap === null) return false;
    for (let first = 0; first < s.batch; first += chunk) {
      const count = Math.min(chunk, s.batch - first);
      const xAt = residentX >= 0 ? offX + first * image : offX,
        gAt = residentG >= 0 ? offG + first * o * positions : offG;
      if (residentX < 0) this.copyIn(heap, x, first * image, count * image, offX);
      if (residentG < 0) this.copyIn(heap, g, first * o * positions, count * o * positions, offG);
      for (let n = 0; n < count; n++) {
        this.exports.im2col((xAt + n * image) * 4, offCols * 4, ...fields);
        for (let group = 0; group < s.groups; group++) {
          this.exports.blockedProduct(
            (gAt + (n * o + group * og) * positions) * 4,
            positions,
            false,
            (offCols + group * k * positions) * 4,
            positions,
            true,
            (offDw + group * og * k) * 4,
            k,
            og,
            positions,
            k,
            first + n > 0,
            packedA * 4,
            packedB * 4,
          );
        }
      }
    }
    if (residentDw < 0) this.copyOut(heap, dw, 0, offDw, o * k);
    return true;
  }

  private copyOut(heap: Float32Array, out: FloatArray, outOffset: number, from: number, size: number): void {
    placement.copied(size * 4);
    if (size > 4096) out.set(heap.subarray(from, from + size), outOffset);
    else for (let i = 0; i < size; i++) out[outOffset + i] = heap[from + i]!;
  }
}
