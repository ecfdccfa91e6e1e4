// The Kernels object over WebAssembly: which module instance runs each op (the default one, the
// one whose memory holds a reused step's buffers, or the threads), and where JavaScript takes over.
import type { FloatArray } from "../../dtype.js";
import { decodeBase64 } from "../../encoding.js";
import { jsKernels } from "../js.js";
import { conv2dBackwardInputByColumns, conv2dBackwardWeightByColumns, conv2dByColumns } from "../convolution.js";
import type { Conv2dShape, Kernels } from "../types.js";
import { KERNELS_WASM_BASE64 } from "./module.js";
import { type KernelExports, WasmKernels, type WasmMemory } from "./wasm-kernels.js";
import { webAssembly } from "./webassembly.js";

/** Floats of scratch beside resident arrays: at least 4 MB, at most 256 MB. */
const MIN_RESIDENT_SCRATCH = 1 << 20,
  MAX_RESIDENT_SCRATCH = 1 << 26;

/** Products handed to a threaded instance: those of at least `minWork` multiply-adds. */
export interface ParallelProducts {
  wasm: WasmKernels;
  minWork: number;
}

/** The module instances whose memory holds a reused step's arrays, by that memory's buffer. */
const homes = new WeakMap<object, WasmKernels>();

/**
 * The instance whose memory holds the most of an op's floats, given as [array, floats it uses]
 * pairs; undefined when none of them lives in such a memory. The op runs there, copying in only
 * the rest.
 */
function home(...operands: [FloatArray, number][]): WasmKernels | undefined {
  let best: WasmKernels | undefined,
    most = 0;
  for (const [array, floats] of operands) {
    const holder = homes.get(array.buffer);
    if (holder !== undefined && floats > most) {
      best = holder;
      most = floats;
    }
  }
  return best;
}

/** Runs `op` in `where` (an operand's home) and, where it declines or there is none, in `wasm`. */
function inHome(where: WasmKernels | undefined, wasm: WasmKernels, op: (kernels: WasmKernels) => boolean): boolean {
  return (where !== undefined && op(where)) || op(wasm);
}

/**
 * Kernels whose float32 products and arithmetic go through `wasm` (JavaScript where it declines),
 * and whose products of at least `parallel.minWork` multiply-adds go through `parallel.wasm`. Any
 * other op whose operands live in the memory of an instance made by `residentArrays` runs in the
 * one holding most of its floats, reading and writing them in place.
 */
export function kernelsWith(wasm: WasmKernels, name: string, parallel?: ParallelProducts): Kernels {
  /**
   * A convolution large enough to split runs in the threads' instance; any other in the instance holding most of its
   * floats (a reused step's), else in `wasm`. One that an instance declines goes by columns.
   */
  const convolver = (s: Conv2dShape, ...operands: [FloatArray, number][]): WasmKernels => {
    const work = s.batch * s.outChannels * s.outH * s.outW * (s.channels / s.groups) * s.kernelH * s.kernelW;
    return parallel !== undefined && work >= parallel.minWork ? parallel.wasm : (home(...operands) ?? wasm);
  };
  const kernels: Kernels = {
    ...jsKernels,
    name,
    binary(op, out, shape, a, b) {
      const where = home([out, out.length], [a.data, a.data.length], [b.data, b.data.length]);
      if (!inHome(where, wasm, (k) => k.binary(op, out, shape, a, b))) jsKernels.binary(op, out, shape, a, b);
    },
    unary(op, out, x) {
      if (!inHome(home([out, out.length], [x, x.length]), wasm, (k) => k.unary(op, out, x)))
        jsKernels.unary(op, out, x);
    },
    axpy(y, alpha, x) {
      if (!inHome(home([y, y.length], [x, x.length]), wasm, (k) => k.axpy(y, alpha, x))) jsKernels.axpy(y, alpha, x);
    },
    sumOfSquares(x) {
      return home([x, x.length])?.sumOfSquares(x) ?? wasm.sumOfSquares(x) ?? jsKernels.sumOfSquares(x);
    },
    bytesToFloats(out, outStride, bytes, rowLength, rows, offset, factor) {
      // The bytes as they are: JavaScript's native typed-array copy beats a trip through the module.
      const copyOnly = offset === null && factor === 1;
      if (
        copyOnly ||
        !inHome(home([out, out.length]), wasm, (k) =>
          k.bytesToFloats(out, outStride, bytes, rowLength, rows, offset, factor),
        )
      ) {
        jsKernels.bytesToFloats(out, outStride, bytes, rowLength, rows, offset, factor);
      }
    },
    matmul(out, outOffset, a, aOffset, b, bOffset, m, k, n, transposeA, transposeB) {
      const product = (kernels: WasmKernels) =>
        kernels.matmul(out, outOffset, a, aOffset, b, bOffset, m, k, n, transposeA, transposeB);
      // A product large enough to split goes to the threads, wherever its operands live.
      const split = parallel !== undefined && m * k * n >= parallel.minWork && product(parallel.wasm);
      if (!split && !inHome(home([out, m * n], [a, m * k], [b, k * n]), wasm, product)) {
        jsKernels.matmul(out, outOffset, a, aOffset, b, bOffset, m, k, n, transposeA, transposeB);
      }
    },
    residentArrays(sizes) {
      // A new instance of the module, whose memory holds these arrays and scratch for the operands
      // that come from elsewhere (parameters, a batch made outside the step): twice the arrays,
      // 4 MB at least and 256 MB at most. A call that needs more runs in `wasm`, copying. Scratch
      // costs address space until a call touches it, but every instance holds its own.
      const holder = singleThreadWasm();
      if (holder === null) return null;
      try {
        const floats = sizes.reduce((total, size) => total + size, 0);
        const arrays = holder.holdArrays(
          sizes,
          Math.min(Math.max(2 * floats, MIN_RESIDENT_SCRATCH), MAX_RESIDENT_SCRATCH),
        );
        homes.set(holder.buffer, holder);
        return arrays;
      } catch {
        return null; // no memory that large
      }
    },
    batchNormStatistics(mean, variance, x, outer, channels, inner) {
      if (!inHome(home([x, x.length]), wasm, (k) => k.batchNormStatistics(mean, variance, x, outer, channels, inner))) {
        jsKernels.batchNormStatistics(mean, variance, x, outer, channels, inner);
      }
    },
    batchNormForward(out, normalized, x, outer, channels, inner, mean, invStd, weight, bias) {
      const where = home(
        [out, out.length],
        [x, x.length],
        ...(normalized === null ? [] : [[normalized, normalized.length] as [FloatArray, number]]),
      );
      if (
        !inHome(where, wasm, (k) =>
          k.batchNormForward(out, normalized, x, outer, channels, inner, mean, invStd, weight, bias),
        )
      ) {
        jsKernels.batchNormForward(out, normalized, x, outer, channels, inner, mean, invStd, weight, bias);
      }
    },
    batchNormBackward(dx, dWeight, dBias, g, normalized, outer, channels, inner, invStd, weight, training) {
      const where = home(
        [g, g.length],
        [normalized, normalized.length],
        ...(dx === null ? [] : [[dx, dx.length] as [FloatArray, number]]),
      );
      if (
        !inHome(where, wasm, (k) =>
          k.batchNormBackward(dx, dWeight, dBias, g, normalized, outer, channels, inner, invStd, weight, training),
        )
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
      if (!inHome(home([out, out.length], [x, x.length]), wasm, (k) => k.maxPool2d(out, argmax, x, planes, geometry))) {
        jsKernels.maxPool2d(out, argmax, x, planes, geometry);
      }
    },
    conv2d(out, x, w, s) {
      const where = convolver(s, [out, out.length], [x, x.length], [w, w.length]);
      if (!where.conv2d(out, x, w, s) && !(where !== wasm && wasm.conv2d(out, x, w, s)))
        conv2dByColumns(kernels, out, x, w, s);
    },
    conv2dBackwardInput(dx, g, w, s) {
      const where = convolver(s, [dx, dx.length], [g, g.length], [w, w.length]);
      if (!where.conv2dBackwardInput(dx, g, w, s) && !(where !== wasm && wasm.conv2dBackwardInput(dx, g, w, s))) {
        conv2dBackwardInputByColumns(kernels, dx, g, w, s);
      }
    },
    conv2dBackwardWeight(dw, x, g, s) {
      const where = convolver(s, [dw, dw.length], [x, x.length], [g, g.length]);
      if (!where.conv2dBackwardWeight(dw, x, g, s) && !(where !== wasm && wasm.conv2dBackwardWeight(dw, x, g, s))) {
        conv2dBackwardWeightByColumns(kernels, dw, x, g, s);
      }
    },
  };
  return kernels;
}

/** The compiled single-thread module, compiled once; null where it cannot compile (no WebAssembly SIMD). */
let compiled: object | null | undefined;
/** Why the last attempt to make an instance failed, for messages; null after a success. */
let lastFailure: string | null = null;

/** Whether asking for WebAssembly kernels again may succeed: the platform has it and the module compiled. */
export function wasmRetryable(): boolean {
  return webAssembly !== undefined && compiled !== null;
}

/** Why WebAssembly kernels could not be made the last time they were asked for; null when they could. */
export function wasmFailure(): string | null {
  return webAssembly === undefined ? "this platform has no WebAssembly" : lastFailure;
}

/**
 * The kernels on one thread, in a new instance with its own memory; null where WebAssembly SIMD is missing, or
 * where this instance could not be made (`wasmFailure()` says why). A module that does not compile is never tried
 * again; an instance that could not be made (its memory, under an address-space limit) is tried again next time.
 */
export function singleThreadWasm(): WasmKernels | null {
  if (webAssembly === undefined || compiled === null) return null;
  try {
    compiled ??= new webAssembly.Module(decodeBase64(KERNELS_WASM_BASE64));
  } catch (error) {
    compiled = null;
    lastFailure = `the WebAssembly SIMD module does not compile here: ${String(error)}`;
    return null;
  }
  try {
    const instance = new webAssembly.Instance(compiled, {});
    const exports = instance.exports as KernelExports & { memory: WasmMemory };
    lastFailure = null;
    return new WasmKernels(exports.memory, { ...exports, threads: 1 });
  } catch (error) {
    lastFailure = `a WebAssembly instance could not be made: ${String(error)}`;
    return null;
  }
}

/**
 * Kernels whose float32 products and elementwise arithmetic run on WebAssembly SIMD, or null where
 * WebAssembly (or its SIMD) is not available. Compiled synchronously: the module is about 8 KB,
 * far below the 8 MB that browsers let a page's main thread compile synchronously.
 */
export function createWasmKernels(): Kernels | null {
  const wasm = singleThreadWasm();
  return wasm && kernelsWith(wasm, "wasm-simd");
}
