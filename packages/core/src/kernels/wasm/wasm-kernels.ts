import type { FloatArray } from "../../dtype.js";
import { jsKernels } from "../js.js";
import { collapseLoop } from "../strided.js";
import type { BinaryOp, Kernels, StridedOperand, UnaryOp } from "../types.js";
import { KERNELS_WASM_BASE64 } from "./module.js";
import { decodeBase64 } from "../../encoding.js";

// A global in every browser and in Node ≥ 16, declared here so core needs no DOM typings.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

/** The kernels' exports: pointers are byte offsets into the module's memory. */
export interface KernelExports {
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
  bytesToFloats(src: number, rows: number, cols: number, offset: number, scale: number, dst: number, dstStride: number): void;
}

/** The module's memory, its own or shared between threads. */
export interface WasmMemory {
  buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

/** Runs the kernels: here, on this thread; a threaded runner splits each product's output rows. */
export interface KernelRunner extends KernelExports {
  readonly threads: number;
}

/** Products smaller than this many multiply-adds stay in JavaScript: copying would cost more than it saves. */
const MIN_WORK = 16_384;
/** Floats reserved at the start of the module's memory (its own stack and data). */
const RESERVED = 16_384;
const PAGE_FLOATS = 65_536 / 4;
/** Below this inner dimension a dot product is mostly loop overhead: the product goes through rowsTimes. */
const SHORT_K = 32;

/** Floats of output per chunk of bytesToFloats (16 MB): the rows' bytes in the module are a quarter of that. */
const BYTES_CHUNK_FLOATS = 1 << 22;

/** Elementwise ops on fewer elements than this stay in JavaScript. */
const MIN_ELEMENTWISE = 4096;
/** The elementwise ops the module has, by its op number. */
const ELEMENTWISE: Partial<Record<BinaryOp, number>> = { add: 0, sub: 1, mul: 2, div: 3 };

/** The one-operand ops the module has, by its op number. */
const UNARY: Partial<Record<UnaryOp, number>> = { neg: 0, abs: 1, sqrt: 2, square: 3, relu: 4, step: 5 };

/** `floats` rounded up to whole 16-byte vectors. */
const vectors = (floats: number): number => (floats + 3) & ~3;

/**
 * float32 work on WebAssembly SIMD (AssemblyScript, assembly/kernels.ts): the matrix products,
 * elementwise add/sub/mul/div and neg/abs/sqrt/square/relu/step, axpy, the sum of squares and bytes
 * to floats (image rows to features); everything else, every float64 op and
 * arrays too small to pay for the copies are the JavaScript kernels'. Operands are copied into the
 * module's memory, which grows to the largest call seen and is then reused. Which product kernel runs:
 *   A·B, A·Bᵀ:  dotRows when k ≥ 32 (on Bᵀ for A·B, transposed in the module's memory, O(k·n)),
 *               else rowsTimes (on Bᵀ for A·Bᵀ);
 *   Aᵀ·B, Aᵀ·Bᵀ: transposedTimes (on Bᵀ for Aᵀ·Bᵀ).
 */
export class WasmKernels {
  private heap: Float32Array;
  /** The same memory as bytes. */
  private heapBytes: Uint8Array;

  constructor(private readonly memory: WasmMemory, private readonly exports: KernelRunner) {
    this.heap = new Float32Array(memory.buffer);
    this.heapBytes = new Uint8Array(memory.buffer);
  }

  /** Makes room for `floats` floats after the reserved area. */
  private reserve(floats: number): Float32Array {
    const needed = RESERVED + floats;
    if (this.heap.length < needed) {
      this.memory.grow(Math.ceil((needed - this.heap.length) / PAGE_FLOATS));
    }
    if (this.heap.buffer !== this.memory.buffer || this.heap.length < needed) {
      this.heap = new Float32Array(this.memory.buffer);
      this.heapBytes = new Uint8Array(this.memory.buffer);
    }
    return this.heap;
  }

  /** Copies `count` floats of `source` from `from` to heap position `to`. */
  private copyIn(heap: Float32Array, source: FloatArray, from: number, count: number, to: number): void {
    if (from === 0 && source.length === count) heap.set(source, to);
    else heap.set(source.subarray(from, from + count), to);
  }

  /**
   * Lays out the transpose of `rows × cols` floats of `source` (from `from`) at heap position `to`,
   * copying them first to `scratch` (a block copy) and transposing there.
   */
  private transposeIn(heap: Float32Array, source: FloatArray, from: number, rows: number, cols: number, to: number, scratch: number): void {
    this.copyIn(heap, source, from, rows * cols, scratch);
    this.exports.transpose(scratch * 4, to * 4, rows, cols);
  }

  matmul(out: FloatArray, outOffset: number, a: FloatArray, aOffset: number, b: FloatArray, bOffset: number,
    m: number, k: number, n: number, transposeA: boolean, transposeB: boolean): boolean {
    if (!(out instanceof Float32Array) || m * k * n < MIN_WORK) return false;
    // Layout: A, B, C, then scratch: one 16·k-float panel per thread where transposedTimes packs A,
    // or B as given before it is transposed.
    const offA = RESERVED;
    const offB = offA + vectors(m * k);
    const offC = offB + vectors(k * n);
    const offScratch = offC + vectors(m * n);
    const heap = this.reserve(offScratch - RESERVED + Math.max(k * n, transposeA ? 16 * k * this.exports.threads : 0));
    this.copyIn(heap, a, aOffset, m * k, offA);
    if (transposeA) {
      // Rank-1 updates over A's rows [k, m] against B [k, n], as stored unless transposeB.
      if (transposeB) this.transposeIn(heap, b, bOffset, n, k, offB, offScratch);
      else this.copyIn(heap, b, bOffset, k * n, offB);
      this.exports.transposedTimes(offA * 4, m, offB * 4, offC * 4, m, k, n, offScratch * 4);
    } else if (k >= SHORT_K) {
      // Dot products along k: B's rows [n, k] as stored when transposeB, else laid out transposed.
      if (transposeB) this.copyIn(heap, b, bOffset, n * k, offB);
      else this.transposeIn(heap, b, bOffset, k, n, offB, offScratch);
      this.exports.dotRows(offA * 4, offB * 4, offC * 4, m, k, n);
    } else {
      // A short k: rows of C as sums of k rows of B [k, n], as stored unless transposeB.
      if (transposeB) this.transposeIn(heap, b, bOffset, n, k, offB, offScratch);
      else this.copyIn(heap, b, bOffset, k * n, offB);
      this.exports.rowsTimes(offA * 4, offB * 4, offC * 4, m, k, n);
    }
    this.copyOut(heap, out, outOffset, offC, m * n);
    return true;
  }

  /**
   * out = a ∘ b for add, sub, mul and div over float32 when, after collapsing, the loop is one run
   * with each operand either contiguous or a single repeated value (same shapes, or a scalar);
   * false for everything else (broadcast rows, other ops), which the JavaScript kernel does.
   */
  binary(op: BinaryOp, out: FloatArray, shape: readonly number[], a: StridedOperand, b: StridedOperand): boolean {
    const code = ELEMENTWISE[op];
    if (code === undefined || !(out instanceof Float32Array) || out.length < MIN_ELEMENTWISE) return false;
    if (!(a.data instanceof Float32Array) || !(b.data instanceof Float32Array)) return false;
    const loop = collapseLoop(shape, [a.strides, b.strides]);
    if (loop.shape.length !== 1) return false;
    const aStep = loop.strides[0]![0]!, bStep = loop.strides[1]![0]!;
    if (aStep > 1 || bStep > 1) return false;
    const n = out.length;
    const offA = RESERVED, offB = offA + vectors(aStep === 0 ? 1 : n), offC = offB + vectors(bStep === 0 ? 1 : n);
    const heap = this.reserve(offC - RESERVED + n);
    if (aStep === 0) heap[offA] = a.data[0]!;
    else this.copyIn(heap, a.data, 0, n, offA);
    if (bStep === 0) heap[offB] = b.data[0]!;
    else this.copyIn(heap, b.data, 0, n, offB);
    this.exports.binary(code, offA * 4, aStep, offB * 4, bStep, offC * 4, n);
    this.copyOut(heap, out, 0, offC, n);
    return true;
  }

  /** out = f(x) for the ops the module has, over float32 arrays of at least MIN_ELEMENTWISE elements; false otherwise. */
  unary(op: UnaryOp, out: FloatArray, x: FloatArray): boolean {
    const code = UNARY[op];
    const n = out.length;
    if (code === undefined || !(out instanceof Float32Array) || !(x instanceof Float32Array) || n < MIN_ELEMENTWISE) return false;
    const heap = this.reserve(n);
    this.copyIn(heap, x, 0, n, RESERVED);
    this.exports.unary(code, RESERVED * 4, RESERVED * 4, n);
    this.copyOut(heap, out, 0, RESERVED, n);
    return true;
  }

  /** y += α·x over float32 arrays of at least MIN_ELEMENTWISE elements; false otherwise. */
  axpy(y: FloatArray, alpha: number, x: FloatArray): boolean {
    const n = y.length;
    if (!(y instanceof Float32Array) || !(x instanceof Float32Array) || n < MIN_ELEMENTWISE || x.length < n) return false;
    const offY = RESERVED, offX = offY + vectors(n);
    const heap = this.reserve(offX - RESERVED + n);
    this.copyIn(heap, y, 0, n, offY);
    this.copyIn(heap, x, 0, n, offX);
    this.exports.axpy(offY * 4, alpha, offX * 4, n);
    this.copyOut(heap, y, 0, offY, n);
    return true;
  }

  /** Σ x² of a float32 array of at least MIN_ELEMENTWISE elements; null otherwise. */
  sumOfSquares(x: FloatArray): number | null {
    if (!(x instanceof Float32Array) || x.length < MIN_ELEMENTWISE) return null;
    const heap = this.reserve(x.length);
    this.copyIn(heap, x, 0, x.length, RESERVED);
    return this.exports.sumOfSquares(RESERVED * 4, x.length);
  }

  /**
   * Bytes to float32 rows (see Kernels.bytesToFloats) when out is float32 and there are at least
   * MIN_ELEMENTWISE values; false otherwise. The rows' bytes are copied in (a quarter of the floats
   * that come out), a chunk of rows at a time so that a whole data set never sits in the module.
   */
  bytesToFloats(out: FloatArray, outStride: number, bytes: Uint8Array, rowLength: number, rows: ArrayLike<number>, offset: FloatArray | null, factor: number): boolean {
    if (!(out instanceof Float32Array) || (offset !== null && !(offset instanceof Float32Array)) || rows.length * rowLength < MIN_ELEMENTWISE) return false;
    const chunk = Math.max(1, Math.floor(BYTES_CHUNK_FLOATS / rowLength));
    const offOffset = RESERVED, offBytes = offOffset + vectors(rowLength);
    const offOut = offBytes + vectors(Math.ceil((chunk * rowLength) / 4));
    const heap = this.reserve(offOut - RESERVED + chunk * rowLength);
    if (offset) this.copyIn(heap, offset, 0, rowLength, offOffset);
    else heap.fill(0, offOffset, offOffset + rowLength);
    for (let first = 0; first < rows.length; first += chunk) {
      const count = Math.min(chunk, rows.length - first);
      for (let r = 0; r < count; r++) {
        const from = rows[first + r]! * rowLength;
        this.heapBytes.set(bytes.subarray(from, from + rowLength), offBytes * 4 + r * rowLength);
      }
      this.exports.bytesToFloats(offBytes * 4, count, rowLength, offOffset * 4, factor, offOut * 4, rowLength);
      if (outStride === rowLength) this.copyOut(heap, out, first * outStride, offOut, count * rowLength);
      else for (let r = 0; r < count; r++) out.set(heap.subarray(offOut + r * rowLength, offOut + (r + 1) * rowLength), (first + r) * outStride);
    }
    return true;
  }

  private copyOut(heap: Float32Array, out: FloatArray, outOffset: number, from: number, size: number): void {
    if (size > 4096) out.set(heap.subarray(from, from + size), outOffset);
    else for (let i = 0; i < size; i++) out[outOffset + i] = heap[from + i]!;
  }
}

/** Products handed to a threaded instance: those of at least `minWork` multiply-adds. */
export interface ParallelProducts {
  wasm: WasmKernels;
  minWork: number;
}

/**
 * Kernels whose float32 products and arithmetic go through `wasm` (JavaScript where it declines),
 * and whose products of at least `parallel.minWork` multiply-adds go through `parallel.wasm`.
 */
export function kernelsWith(wasm: WasmKernels, name: string, parallel?: ParallelProducts): Kernels {
  return {
    ...jsKernels,
    name,
    binary(op, out, shape, a, b) {
      if (!wasm.binary(op, out, shape, a, b)) jsKernels.binary(op, out, shape, a, b);
    },
    unary(op, out, x) {
      if (!wasm.unary(op, out, x)) jsKernels.unary(op, out, x);
    },
    axpy(y, alpha, x) {
      if (!wasm.axpy(y, alpha, x)) jsKernels.axpy(y, alpha, x);
    },
    sumOfSquares(x) {
      return wasm.sumOfSquares(x) ?? jsKernels.sumOfSquares(x);
    },
    bytesToFloats(out, outStride, bytes, rowLength, rows, offset, factor) {
      if (!wasm.bytesToFloats(out, outStride, bytes, rowLength, rows, offset, factor)) jsKernels.bytesToFloats(out, outStride, bytes, rowLength, rows, offset, factor);
    },
    matmul(out, outOffset, a, aOffset, b, bOffset, m, k, n, transposeA, transposeB) {
      const products = parallel && m * k * n >= parallel.minWork ? parallel.wasm : wasm;
      if (!products.matmul(out, outOffset, a, aOffset, b, bOffset, m, k, n, transposeA, transposeB)) {
        jsKernels.matmul(out, outOffset, a, aOffset, b, bOffset, m, k, n, transposeA, transposeB);
      }
    },
  };
}

/** The kernels on one thread, in a module with its own memory; null where WebAssembly SIMD is missing. */
export function singleThreadWasm(): WasmKernels | null {
  if (typeof WebAssembly !== "object") return null;
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(decodeBase64(KERNELS_WASM_BASE64)), {});
    const exports = instance.exports as KernelExports & { memory: WasmMemory };
    return new WasmKernels(exports.memory, { ...exports, threads: 1 });
  } catch {
    return null;
  }
}

/**
 * Kernels whose float32 products and elementwise arithmetic run on WebAssembly SIMD, or null where
 * WebAssembly (or its SIMD) is not available. Compiled synchronously: the module is about 4 KB,
 * far below the 8 MB that browsers let a page's main thread compile synchronously.
 */
export function createWasmKernels(): Kernels | null {
  const wasm = singleThreadWasm();
  return wasm && kernelsWith(wasm, "wasm-simd");
}
