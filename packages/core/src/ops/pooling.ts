import { checkOptions } from "../options.js";
import { allocate, allocateOutput, keepingOwner } from "../buffers.js";
import { IndexError, ShapeError, ValueError, formatShape } from "../errors.js";
import { checkList, checkShape, sizeOf } from "../shape.js";
import { type Pool2dGeometry, type WindowAverage, kernels } from "../kernels/index.js";
import { Tensor, checkTensor } from "../tensor.js";
import { type Pair, pairOf } from "./convolution.js";

/** torch.nn.functional.max_pool2d's options; stride defaults to the kernel size. */
export interface MaxPool2dOptions {
  /** The window's size, one number or [height, width] (required). */
  kernelSize: Pair;
  /** Pixels between adjacent windows (the kernel size by default). */
  stride?: Pair;
  /** −∞ rows and columns added on each side, at most half the kernel (0 by default). */
  padding?: Pair;
  /** Pixels between a window's taps (1 by default). */
  dilation?: Pair;
  /** Round the output size up instead of down, so a last partial window counts (off by default). */
  ceilMode?: boolean;
}

/** torch.nn.functional.avg_pool2d's options; stride defaults to the kernel size. */
export interface AvgPool2dOptions {
  /** The window's size, one number or [height, width] (required). */
  kernelSize: Pair;
  /** Pixels between adjacent windows (the kernel size by default). */
  stride?: Pair;
  /** Zeros added on each side, at most half the kernel (0 by default). */
  padding?: Pair;
  /** Round the output size up instead of down, so a last partial window counts (off by default). */
  ceilMode?: boolean;
  /** Divide by the whole window, padding included (on by default, as PyTorch); off divides by the input pixels only. */
  countIncludePad?: boolean;
}

/** The pooled length, PyTorch's rule: with ceilMode the last window must start inside the input or its left padding. */
function pooledSize(
  size: number,
  kernel: number,
  stride: number,
  pad: number,
  dilation: number,
  ceilMode: boolean,
): number {
  const span = size + 2 * pad - dilation * (kernel - 1) - 1;
  let out = (ceilMode ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  if (ceilMode && (out - 1) * stride >= size + pad) out--;
  return out;
}

/** x as [planes, H, W] with the leading shape to put back: NCHW or CHW input. */
function planesOf(where: string, x: Tensor): { planes: number; height: number; width: number; lead: number[] } {
  checkTensor(x, where, "input");
  if (x.rank !== 4 && x.rank !== 3)
    throw new ShapeError(`${where}: expected input [N, C, H, W] (or [C, H, W]), got shape ${formatShape(x.shape)}`);
  const lead = x.shape.slice(0, -2);
  const [height, width] = planeSize(where, x.shape);
  return { planes: lead.reduce((a, b) => a * b, 1), height, width, lead };
}

/** [H, W], the last two dimensions of a shape [..., H, W]; a shorter shape is a ShapeError. */
function planeSize(where: string, shape: readonly number[]): [number, number] {
  const height = shape.at(-2),
    width = shape.at(-1);
  if (height === undefined || width === undefined) {
    throw new ShapeError(`${where}: expected an input shape [..., H, W], got ${formatShape(shape)}`);
  }
  return [height, width];
}

/** Checks pooling options and works out the windows' geometry over planes of height × width. */
function poolGeometry(
  where: string,
  height: number,
  width: number,
  options: MaxPool2dOptions,
  shape: readonly number[],
): Pool2dGeometry {
  const known = where.startsWith("avg")
    ? ["kernelSize", "stride", "padding", "dilation", "ceilMode", "countIncludePad"]
    : ["kernelSize", "stride", "padding", "dilation", "ceilMode"];
  checkOptions(options, known, where);
  const [kernelH, kernelW] = pairOf(options.kernelSize, "kernelSize", where, 1);
  const [strideH, strideW] = pairOf(options.stride ?? options.kernelSize, "stride", where, 1);
  const [padTop, padLeft] = pairOf(options.padding ?? 0, "padding", where, 0);
  const [dilationH, dilationW] = pairOf(options.dilation ?? 1, "dilation", where, 1);
  if (2 * padTop > kernelH || 2 * padLeft > kernelW) {
    throw new ValueError(
      `${where}: padding should be at most half the kernel size, got padding ${padTop}×${padLeft} for kernel ${kernelH}×${kernelW}`,
    );
  }
  const ceilMode = options.ceilMode ?? false;
  const outH = pooledSize(height, kernelH, strideH, padTop, dilationH, ceilMode);
  const outW = pooledSize(width, kernelW, strideW, padLeft, dilationW, ceilMode);
  if (outH < 1 || outW < 1) {
    throw new ShapeError(
      `${where}: kernel ${kernelH}×${kernelW} is larger than the padded input ${height + 2 * padTop}×${width + 2 * padLeft} (input ${formatShape(shape)})`,
    );
  }
  return { height, width, kernelH, kernelW, strideH, strideW, padTop, padLeft, dilationH, dilationW, outH, outW };
}

/** Max pooling with the flat index into x of each maximum (what its gradient needs): y = max over each window. */
export function maxPool2dWithIndices(
  x: Tensor,
  options: MaxPool2dOptions,
): {
  /** The pooled tensor. */
  output: Tensor;
  /** For each output element, the flat index into x's data of the maximum it took. */
  indices: Int32Array;
} {
  const { planes, height, width, lead } = planesOf("maxPool2d", x);
  const geometry = poolGeometry("maxPool2d", height, width, options, x.shape);
  const out = allocateOutput(x.dtype, planes * geometry.outH * geometry.outW);
  // The indices take a float32 buffer's bytes: in a reused step it is the step's own, in the kernel memory, so the
  // WebAssembly kernel writes them where they live instead of copying them out, and no array is made per call. The
  // Int32Array view keeps that buffer (and its block) alive.
  const indexBytes = allocateOutput("float32", out.length);
  const indices = keepingOwner(new Int32Array(indexBytes.buffer, indexBytes.byteOffset, out.length), indexBytes);
  kernels().maxPool2d(out, indices, x.data, planes, geometry);
  return { output: new Tensor(out, [...lead, geometry.outH, geometry.outW]), indices };
}

/** 2-D max pooling over NCHW (or CHW): y[n, c, i, j] = max_{p,q} x[n, c, i·sh − ph + p·dh, j·sw − pw + q·dw]. */
export function maxPool2d(x: Tensor, options: MaxPool2dOptions): Tensor {
  return maxPool2dWithIndices(x, options).output;
}

/** Throws unless `indices` is an Int32Array of `count` flat indices, each in [0, size) (unchecked for a null size). */
function checkFlatIndices(where: string, indices: Int32Array, count: number, size: number | null): void {
  if (!(indices instanceof Int32Array)) {
    throw new ValueError(`${where}: indices must be an Int32Array, got ${indices === null ? "null" : typeof indices}`);
  }
  if (indices.length !== count) throw new ShapeError(`${where}: expected ${count} indices, got ${indices.length}`);
  if (size === null) return;
  for (let i = 0; i < indices.length; i++) {
    const at = indices[i]!;
    if (at < 0 || at >= size) throw new IndexError(`${where}: index ${at} at position ${i} is outside [0, ${size})`);
  }
}

/** dx of `inputShape` with dx[indices[i]] += g[i]: the gradient of max pooling (or of any take-at-indices). */
export function scatterAddAt(g: Tensor, indices: Int32Array, inputShape: readonly number[]): Tensor {
  checkTensor(g, "scatterAddAt", "g");
  const size = sizeOf(checkShape(inputShape, "scatterAddAt"));
  checkFlatIndices("scatterAddAt", indices, g.size, null); // the kernel checks the range as it goes
  const dx = allocate(g.dtype, size);
  const outside = kernels().scatterAddAt(dx, g.data, indices);
  // A backend that checks nothing (one written before the kernel returned the first bad position): check here.
  if (typeof outside !== "number") checkFlatIndices("scatterAddAt", indices, g.size, size);
  else if (outside >= 0) {
    throw new IndexError(`scatterAddAt: index ${indices[outside]} at position ${outside} is outside [0, ${size})`);
  }
  return new Tensor(dx, inputShape);
}

/** y of `shape` with y[i] = x.data[indices[i]]: the values at flat indices (the adjoint of scatterAddAt). */
export function gatherAt(x: Tensor, indices: Int32Array, shape: readonly number[]): Tensor {
  checkTensor(x, "gatherAt", "x");
  checkFlatIndices("gatherAt", indices, sizeOf(checkShape(shape, "gatherAt")), x.size);
  const out = allocateOutput(x.dtype, indices.length);
  kernels().gatherAt(out, x.data, indices);
  return new Tensor(out, shape);
}

/** One axis of average pooling's windows: the clipped [start, end) of each and its divisor, PyTorch's rule. */
function averageAxis(
  size: number,
  kernel: number,
  stride: number,
  pad: number,
  outSize: number,
  countIncludePad: boolean,
): [Int32Array, Int32Array] {
  const bounds = new Int32Array(2 * outSize),
    counts = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const start = o * stride - pad,
      end = Math.min(start + kernel, size + pad);
    const clippedStart = Math.max(start, 0),
      clippedEnd = Math.min(end, size);
    bounds[2 * o] = clippedStart;
    bounds[2 * o + 1] = clippedEnd;
    counts[o] = countIncludePad ? end - start : clippedEnd - clippedStart;
  }
  return [bounds, counts];
}

/** One axis of adaptive average pooling: window o covers [⌊o·size/out⌋, ⌈(o+1)·size/out⌉). */
function adaptiveAxis(size: number, outSize: number): [Int32Array, Int32Array] {
  const bounds = new Int32Array(2 * outSize),
    counts = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const start = Math.floor((o * size) / outSize),
      end = Math.ceil(((o + 1) * size) / outSize);
    bounds[2 * o] = start;
    bounds[2 * o + 1] = end;
    counts[o] = end - start;
  }
  return [bounds, counts];
}

/** The windows of avg_pool2d over planes of height × width. */
export function avgPoolWindows(
  where: string,
  x: { shape: readonly number[] },
  options: AvgPool2dOptions,
): WindowAverage {
  const [height, width] = planeSize(where, x.shape);
  const g = poolGeometry(where, height, width, { ...options, dilation: 1 }, x.shape);
  const include = options.countIncludePad ?? true;
  const [rows, rowCounts] = averageAxis(height, g.kernelH, g.strideH, g.padTop, g.outH, include);
  const [cols, colCounts] = averageAxis(width, g.kernelW, g.strideW, g.padLeft, g.outW, include);
  return { height, width, rows, cols, rowCounts, colCounts };
}

/** The windows of adaptive_avg_pool2d over planes of height × width, for an output of `outputSize`. */
export function adaptiveAvgPoolWindows(
  where: string,
  x: { shape: readonly number[] },
  outputSize: Pair,
): WindowAverage {
  const [height, width] = planeSize(where, x.shape);
  const [outH, outW] = pairOf(outputSize, "outputSize", where, 1);
  const [rows, rowCounts] = adaptiveAxis(height, outH);
  const [cols, colCounts] = adaptiveAxis(width, outW);
  return { height, width, rows, cols, rowCounts, colCounts };
}

/** Averages over windows: y[n, c, i, j] = Σ_window x / (the window's size). */
export function windowAverage(x: Tensor, windows: WindowAverage, where = "windowAverage"): Tensor {
  const { planes, height, width, lead } = planesOf(where, x);
  if (height !== windows.height || width !== windows.width) {
    throw new ShapeError(
      `${where}: windows are for ${windows.height}×${windows.width} planes, got input ${formatShape(x.shape)}`,
    );
  }
  const outH = windows.rowCounts.length,
    outW = windows.colCounts.length;
  const out = allocateOutput(x.dtype, planes * outH * outW);
  kernels().windowAverage(out, x.data, planes, windows);
  return new Tensor(out, [...lead, outH, outW]);
}

/** The gradient of windowAverage: dx of `inputShape`, each window's g shared evenly over it. */
export function windowAverageBackward(g: Tensor, windows: WindowAverage, inputShape: readonly number[]): Tensor {
  checkTensor(g, "windowAverageBackward", "g");
  checkShape(checkList(inputShape, "windowAverageBackward", "inputShape") as number[], "windowAverageBackward");
  if (inputShape.length < 2) {
    throw new ShapeError(`windowAverageBackward: expected an input shape [..., H, W], got ${formatShape(inputShape)}`);
  }
  const planes = inputShape.slice(0, -2).reduce((a, b) => a * b, 1);
  const expected = [...inputShape.slice(0, -2), windows.rowCounts.length, windows.colCounts.length];
  if (g.rank !== expected.length || g.shape.some((d, i) => d !== expected[i])) {
    throw new ShapeError(
      `windowAverageBackward: expected g of shape ${formatShape(expected)}, got ${formatShape(g.shape)}`,
    );
  }
  const dx = allocate(g.dtype, planes * windows.height * windows.width);
  kernels().windowAverageBackward(dx, g.data, planes, windows);
  return new Tensor(dx, inputShape);
}

/** 2-D average pooling over NCHW (or CHW), PyTorch's windows and divisors (countIncludePad counts the zero padding). */
export function avgPool2d(x: Tensor, options: AvgPool2dOptions): Tensor {
  planesOf("avgPool2d", x);
  return windowAverage(x, avgPoolWindows("avgPool2d", x, options), "avgPool2d");
}

/** Adaptive average pooling to `outputSize`: window i covers rows [⌊i·H/oh⌋, ⌈(i+1)·H/oh⌉) (and likewise columns). */
export function adaptiveAvgPool2d(x: Tensor, outputSize: Pair): Tensor {
  planesOf("adaptiveAvgPool2d", x);
  return windowAverage(x, adaptiveAvgPoolWindows("adaptiveAvgPool2d", x, outputSize), "adaptiveAvgPool2d");
}
