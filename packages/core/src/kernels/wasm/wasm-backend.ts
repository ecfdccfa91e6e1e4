// The Kernels object over WebAssembly: this thread's instance on the one kernel memory, the threads' runner on the
// same memory for products large enough to split, and JavaScript where the module declines.
import { jsKernels } from "../js.js";
import { conv2dBackwardInputByColumns, conv2dBackwardWeightByColumns, conv2dByColumns } from "../convolution.js";
import type { Conv2dShape, Kernels } from "../types.js";
import { kernelMemory, memoryFailure, memoryRetryable } from "./kernel-memory.js";
import { WasmKernels } from "./wasm-kernels.js";

/** What the threads take: products of at least `minWork` multiply-adds, other calls over `minElements` elements. */
export interface ParallelProducts {
  wasm: WasmKernels;
  minWork: number;
  minElements: number;
}

/**
 * Kernels whose float32 products and arithmetic go through `wasm` (JavaScript where it declines),
 * and whose products and convolutions of at least `parallel.minWork` multiply-adds go through `parallel.wasm`, the
 * threads' runner over the same memory. Operands that live in the kernel memory are used in place by either.
 */
export function kernelsWith(wasm: WasmKernels, name: string, parallel?: ParallelProducts): Kernels {
  /** The runner of a convolution: the threads when it is large enough to split. */
  const convolver = (s: Conv2dShape): WasmKernels => {
    const work = s.batch * s.outChannels * s.outH * s.outW * (s.channels / s.groups) * s.kernelH * s.kernelW;
    return parallel !== undefined && work >= parallel.minWork ? parallel.wasm : wasm;
  };
  /**
   * The runner of a call over `n` elements (elementwise ops, axpy, a gather, batch norm, max pooling): the threads when
   * it is large enough to split.
   */
  const overElements = (n: number): WasmKernels =>
    parallel !== undefined && n >= parallel.minElements ? parallel.wasm : wasm;
  const kernels: Kernels = {
    ...jsKernels,
    name,
    binary(op, out, shape, a, b) {
      if (!overElements(out.length).binary(op, out, shape, a, b)) jsKernels.binary(op, out, shape, a, b);
    },
    unary(op, out, x) {
      if (!overElements(out.length).unary(op, out, x)) jsKernels.unary(op, out, x);
    },
    axpy(y, alpha, x) {
      if (!overElements(y.length).axpy(y, alpha, x)) jsKernels.axpy(y, alpha, x);
    },
    scatterAddAt(out, x, indices) {
      return wasm.scatterAddAt(out, x, indices) ?? jsKernels.scatterAddAt(out, x, indices);
    },
    sumOfSquares(x) {
      return wasm.sumOfSquares(x) ?? jsKernels.sumOfSquares(x);
    },
    bytesToFloats(out, outStride, bytes, rowLength, rows, offset, factor) {
      const runner = overElements(rows.length * rowLength); // a batch gathered and converted across the threads
      if (!runner.bytesToFloats(out, outStride, bytes, rowLength, rows, offset, factor)) {
        jsKernels.bytesToFloats(out, outStride, bytes, rowLength, rows, offset, factor);
      }
    },
    matmul(out, outOffset, a, aOffset, b, bOffset, m, k, n, transposeA, transposeB) {
      const product = (kernels: WasmKernels) =>
        kernels.matmul(out, outOffset, a, aOffset, b, bOffset, m, k, n, transposeA, transposeB);
      // A product large enough to split goes to the threads.
      const split = parallel !== undefined && m * k * n >= parallel.minWork && product(parallel.wasm);
      if (!split && !product(wasm)) {
        jsKernels.matmul(out, outOffset, a, aOffset, b, bOffset, m, k, n, transposeA, transposeB);
      }
    },
    batchNormStatistics(mean, variance, x, outer, channels, inner) {
      if (!overElements(x.length).batchNormStatistics(mean, variance, x, outer, channels, inner)) {
        jsKernels.batchNormStatistics(mean, variance, x, outer, channels, inner);
      }
    },
    batchNormForward(out, normalized, x, outer, channels, inner, mean, invStd, weight, bias) {
      if (
        !overElements(x.length).batchNormForward(out, normalized, x, outer, channels, inner, mean, invStd, weight, bias)
      ) {
        jsKernels.batchNormForward(out, normalized, x, outer, channels, inner, mean, invStd, weight, bias);
      }
    },
    batchNormBackward(dx, dWeight, dBias, g, normalized, outer, channels, inner, invStd, weight, training) {
      const runner = overElements(g.length); // bands of channels across the threads, as the forward's
      if (
        !runner.batchNormBackward(dx, dWeight, dBias, g, normalized, outer, channels, inner, invStd, weight, training)
      ) {
        jsKernels.batchNormBackward(
          dx,
          dWeight,
          dBias,
          g,
          normalized,
          outer,
          channels,
          inner,
          invStd,
          weight,
          training,
        );
      }
    },
    maxPool2d(out, argmax, x, planes, geometry) {
      if (!overElements(x.length).maxPool2d(out, argmax, x, planes, geometry)) {
        jsKernels.maxPool2d(out, argmax, x, planes, geometry);
      }
    },
    conv2d(out, x, w, s) {
      const where = convolver(s);
      if (!where.conv2d(out, x, w, s) && !(where !== wasm && wasm.conv2d(out, x, w, s)))
        conv2dByColumns(kernels, out, x, w, s);
    },
    conv2dBackwardInput(dx, g, w, s) {
      const where = convolver(s);
      if (!where.conv2dBackwardInput(dx, g, w, s) && !(where !== wasm && wasm.conv2dBackwardInput(dx, g, w, s))) {
        conv2dBackwardInputByColumns(kernels, dx, g, w, s);
      }
    },
    conv2dBackwardWeight(dw, x, g, s) {
      const where = convolver(s);
      if (!where.conv2dBackwardWeight(dw, x, g, s) && !(where !== wasm && wasm.conv2dBackwardWeight(dw, x, g, s))) {
        conv2dBackwardWeightByColumns(kernels, dw, x, g, s);
      }
    },
  };
  return kernels;
}

/** This thread's kernels on the kernel memory, made once. */
let local: WasmKernels | null = null;

/** Whether asking for WebAssembly kernels again may succeed: the platform has it and the module compiled. */
export function wasmRetryable(): boolean {
  return memoryRetryable();
}

/** Why WebAssembly kernels could not be made the last time they were asked for; null when they could. */
export function wasmFailure(): string | null {
  return memoryFailure();
}

/**
 * The kernels on this thread, over the one kernel memory; null where WebAssembly SIMD is missing, or where the
 * memory could not be made (`wasmFailure()` says why; the next call tries again).
 */
export function singleThreadWasm(): WasmKernels | null {
  if (local !== null) return local;
  const memory = kernelMemory();
  if (memory === null) return null;
  local = new WasmKernels(
    memory,
    { ...memory.exports, threads: 1 },
    memory.policy === "copy" ? "webassembly" : "kernel memory",
  );
  return local;
}

/**
 * Kernels whose float32 products and elementwise arithmetic run on WebAssembly SIMD, or null where
 * WebAssembly (or its SIMD) is not available. Compiled synchronously: the module is about 16 KB,
 * far below the 8 MB that browsers let a page's main thread compile synchronously.
 */
export function createWasmKernels(): Kernels | null {
  const wasm = singleThreadWasm();
  return wasm && kernelsWith(wasm, "wasm-simd");
}
