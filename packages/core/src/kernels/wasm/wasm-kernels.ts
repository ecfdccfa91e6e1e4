import type { FloatArray } from "../../dtype.js";
import { jsKernels } from "../js.js";
import type { Kernels } from "../types.js";
import { MATMUL_WASM_BASE64 } from "./module.js";
import { decodeBase64 } from "../../encoding.js";

// A global in every browser and in Node ≥ 16, declared here so core needs no DOM typings.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

/** The kernels' exports: pointers are byte offsets into the module's memory. */
export interface MatmulExports {
  dotRows(a: number, b: number, c: number, m: number, k: number, n: number): void;
  transposedTimes(a: number, lda: number, b: number, c: number, m: number, k: number, n: number): void;
}

/** The module's memory, its own or shared between threads. */
export interface WasmMemory {
  buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

/** Runs the two kernels: here, on this thread; a threaded runner splits each call's output rows. */
export interface KernelRunner extends MatmulExports {
  readonly threads: number;
}

/** Products smaller than this many multiply-adds stay in JavaScript: copying would cost more than it saves. */
const MIN_WORK = 16_384;
/** Floats reserved at the start of the module's memory (its own stack and data). */
const RESERVED = 16_384;
const PAGE_FLOATS = 65_536 / 4;

/**
 * The float32 matrix products on WebAssembly SIMD (AssemblyScript, assembly/matmul.ts); everything
 * else, and every float64 product, is the JavaScript kernels'. Operands are copied into the
 * module's memory, which grows to the largest product seen and is then reused.
 */
export class WasmMatmul {
  private heap: Float32Array;

  constructor(private readonly memory: WasmMemory, private readonly exports: KernelRunner) {
    this.heap = new Float32Array(memory.buffer);
  }

  /** Makes room for `floats` floats after the reserved area. */
  private reserve(floats: number): Float32Array {
    const needed = RESERVED + floats;
    if (this.heap.length < needed) {
      this.memory.grow(Math.ceil((needed - this.heap.length) / PAGE_FLOATS));
    }
    if (this.heap.buffer !== this.memory.buffer || this.heap.length < needed) this.heap = new Float32Array(this.memory.buffer);
    return this.heap;
  }

  /** Copies `count` floats of `source` from `from` to heap position `to`. */
  private copyIn(heap: Float32Array, source: FloatArray, from: number, count: number, to: number): void {
    if (from === 0 && source.length === count) heap.set(source, to);
    else heap.set(source.subarray(from, from + count), to);
  }

  matmul(out: FloatArray, outOffset: number, a: FloatArray, aOffset: number, b: FloatArray, bOffset: number,
    m: number, k: number, n: number, transposeA: boolean, transposeB: boolean): boolean {
    if (!(out instanceof Float32Array) || m * k * n < MIN_WORK || k < 4 || (transposeA && transposeB)) return false;
    // Layout: A, then B (with 10 floats of padding: transposedTimes reads B's last row in full), then C.
    const offA = RESERVED;
    const offB = offA + ((m * k + 3) & ~3);
    const offC = offB + ((k * n + 3) & ~3) + 12;
    const heap = this.reserve(offC - RESERVED + m * n);
    if (transposeB && k < 32) {
      // A·Bᵀ with a short inner dimension (dS·Wᵀ: k = 10 classes): dot products of length k would
      // be mostly horizontal sums, so lay out Aᵀ [k, m] and Bᵀ [k, n] and use the rank-1-update kernel.
      for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) heap[offA + p * m + i] = a[aOffset + i * k + p]!;
      for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) heap[offB + p * n + j] = b[bOffset + j * k + p]!;
      heap.fill(0, offB + k * n, offB + k * n + 10);
      this.exports.transposedTimes(offA * 4, m, offB * 4, offC * 4, m, k, n);
      this.copyOut(heap, out, outOffset, offC, m * n);
      return true;
    }
    this.copyIn(heap, a, aOffset, m * k, offA);
    if (transposeA) {
      // C = Aᵀ·B with A stored [k, m]: rank-1 updates over A's contiguous rows.
      this.copyIn(heap, b, bOffset, k * n, offB);
      heap.fill(0, offB + k * n, offB + k * n + 10);
      this.exports.transposedTimes(offA * 4, m, offB * 4, offC * 4, m, k, n);
    } else {
      if (transposeB) this.copyIn(heap, b, bOffset, n * k, offB); // B stored [n, k]: rows ready to dot
      else for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) heap[offB + j * k + p] = b[bOffset + p * n + j]!; // Bᵀ, once
      this.exports.dotRows(offA * 4, offB * 4, offC * 4, m, k, n);
    }
    this.copyOut(heap, out, outOffset, offC, m * n);
    return true;
  }

  private copyOut(heap: Float32Array, out: FloatArray, outOffset: number, from: number, size: number): void {
    if (size > 4096) out.set(heap.subarray(from, from + size), outOffset);
    else for (let i = 0; i < size; i++) out[outOffset + i] = heap[from + i]!;
  }
}

/** Kernels whose float32 matmul goes through `matmul` (falling back to JavaScript where it declines). */
export function kernelsWith(matmul: WasmMatmul, name: string): Kernels {
  return {
    ...jsKernels,
    name,
    matmul(out, outOffset, a, aOffset, b, bOffset, m, k, n, transposeA, transposeB) {
      if (!matmul.matmul(out, outOffset, a, aOffset, b, bOffset, m, k, n, transposeA, transposeB)) {
        jsKernels.matmul(out, outOffset, a, aOffset, b, bOffset, m, k, n, transposeA, transposeB);
      }
    },
  };
}

/**
 * Kernels whose float32 matmul runs on WebAssembly SIMD, or null where WebAssembly (or its SIMD)
 * is not available. Compiled synchronously: the module is under 3 KB, below the browsers' limit.
 */
export function createWasmKernels(): Kernels | null {
  if (typeof WebAssembly !== "object") return null;
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(decodeBase64(MATMUL_WASM_BASE64)), {});
    const exports = instance.exports as MatmulExports & { memory: WasmMemory };
    return kernelsWith(new WasmMatmul(exports.memory, { threads: 1, dotRows: exports.dotRows, transposedTimes: exports.transposedTimes }), "wasm-simd");
  } catch {
    return null;
  }
}
