import { allocateOutput } from "../buffers.js";
import { ShapeError, ValueError, formatShape } from "../errors.js";
import { checkOptions } from "../options.js";
import { type Conv2dShape, kernels } from "../kernels/index.js";
import { checkShape, sizeOf } from "../shape.js";
import { Tensor, checkTensor } from "../tensor.js";
import { add } from "./elementwise.js";
import { reshape } from "./layout.js";
import { commonDType } from "./operands.js";

/** A size given once for both spatial axes, or as [height, width]. */
export type Pair = number | readonly [number, number];

/** torch.nn.functional.conv2d's options. `padding: "same"` pads so the output has the input's size (stride 1 only). */
export interface Conv2dOptions {
  /** Pixels between adjacent windows, one number or [height, width] (1 by default). */
  stride?: Pair;
  /** Zeros added on each side, one number or [height, width], or "same" / "valid" (0 by default; "valid" is 0). */
  padding?: Pair | "same" | "valid";
  /** Pixels between a kernel's taps (1 by default: adjacent). */
  dilation?: Pair;
  /** Split the channels into this many groups, each output channel seeing in / groups inputs (1 by default). */
  groups?: number;
}

/** [height, width] of a Pair, checked to be integers of at least `min`. */
export function pairOf(value: Pair, name: string, where: string, min: number): [number, number] {
  const pair: readonly unknown[] = typeof value === "number" ? [value, value] : value;
  const [height, width] = Array.isArray(pair) && pair.length === 2 ? pair : [];
  const fits = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= min;
  if (!fits(height) || !fits(width)) {
    throw new ValueError(
      `${where}: expected ${name} to be an integer ≥ ${min} or a pair of them, got ${JSON.stringify(value)}`,
    );
  }
  return [height, width];
}

/** The output length of a sliding window: ⌊(size + padding − dilation·(kernel − 1) − 1) / stride⌋ + 1. */
export function slidingOutputSize(
  size: number,
  padding: number,
  kernel: number,
  stride: number,
  dilation: number,
): number {
  return Math.floor((size + padding - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** A convolution's full plan: the image geometry (per group: every channel), groups, and the shapes. */
interface ConvPlan {
  shape: Conv2dShape;
  outShape: number[];
}

/** Checks x [N, C, H, W] (or [C, H, W]) against w [O, C/groups, kh, kw] and works out the output. */
function planConv2d(
  where: string,
  inputShape: readonly number[],
  weightShape: readonly number[],
  options: Conv2dOptions,
): ConvPlan {
  checkOptions(options, ["stride", "padding", "dilation", "groups"], where);
  checkShape(inputShape, where);
  checkShape(weightShape, where);
  if (inputShape.length !== 4 && inputShape.length !== 3) {
    throw new ShapeError(`${where}: expected input [N, C, H, W] (or [C, H, W]), got shape ${formatShape(inputShape)}`);
  }
  if (weightShape.length !== 4) {
    throw new ShapeError(`${where}: expected weight [out, in/groups, kh, kw], got shape ${formatShape(weightShape)}`);
  }
  const unbatched = inputShape.length === 3;
  const [batch, channels, height, width] = (unbatched ? [1, ...inputShape] : inputShape) as [
    number,
    number,
    number,
    number,
  ];
  const [outChannels, groupChannels, kernelH, kernelW] = weightShape as [number, number, number, number];
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1)
    throw new ValueError(`${where}: expected groups to be an integer ≥ 1, got ${groups}`);
  if (outChannels % groups !== 0) {
    throw new ShapeError(
      `${where}: weight ${formatShape(weightShape)} has ${outChannels} output channels, not divisible by groups = ${groups}`,
    );
  }
  if (groupChannels * groups !== channels) {
    throw new ShapeError(
      `${where}: weight ${formatShape(weightShape)} with groups = ${groups} expects input with ${groupChannels * groups} channels, ` +
        `got input of shape ${formatShape(inputShape)}`,
    );
  }
  const [strideH, strideW] = pairOf(options.stride ?? 1, "stride", where, 1);
  const [dilationH, dilationW] = pairOf(options.dilation ?? 1, "dilation", where, 1);
  const [padTop, padBottom, padLeft, padRight] = paddingOf(
    where,
    options.padding ?? 0,
    [kernelH, kernelW],
    [dilationH, dilationW],
    [strideH, strideW],
  );
  const outH = slidingOutputSize(height, padTop + padBottom, kernelH, strideH, dilationH);
  const outW = slidingOutputSize(width, padLeft + padRight, kernelW, strideW, dilationW);
  if (outH < 1 || outW < 1) {
    throw new ShapeError(
      `${where}: kernel ${kernelH}×${kernelW} (dilation ${dilationH}×${dilationW}) is larger than the padded input ` +
        `${height + padTop + padBottom}×${width + padLeft + padRight} (input ${formatShape(inputShape)})`,
    );
  }
  const shape = {
    batch,
    groups,
    outChannels,
    channels,
    height,
    width,
    kernelH,
    kernelW,
    strideH,
    strideW,
    padTop,
    padLeft,
    dilationH,
    dilationW,
    outH,
    outW,
  };
  return { shape, outShape: unbatched ? [outChannels, outH, outW] : [batch, outChannels, outH, outW] };
}

/** [top, bottom, left, right] padding; "same" puts the odd one at the bottom and right, as PyTorch does. */
function paddingOf(
  where: string,
  padding: Pair | "same" | "valid",
  kernel: [number, number],
  dilation: [number, number],
  stride: [number, number],
): [number, number, number, number] {
  if (padding === "valid") return [0, 0, 0, 0];
  if (padding === "same") {
    if (stride[0] !== 1 || stride[1] !== 1)
      throw new ValueError(`${where}: padding "same" needs stride 1, got stride ${stride.join("×")}`);
    const [totalH, totalW] = [dilation[0] * (kernel[0] - 1), dilation[1] * (kernel[1] - 1)];
    return [totalH >> 1, totalH - (totalH >> 1), totalW >> 1, totalW - (totalW >> 1)];
  }
  const [h, w] = pairOf(padding, "padding", where, 0);
  return [h, h, w, w];
}

/**
 * The 2-D convolution of PyTorch (a cross-correlation), NCHW:
 *   y[n, o, i, j] = b[o] + Σ_{c ∈ group(o), p, q} w[o, c, p, q] · x[n, c, i·sh − ph + p·dh, j·sw − pw + q·dw]
 * with x zero outside the image; w is [out, in/groups, kh, kw]. The kernels compute it as a product of the
 * weights with the images' receptive fields laid out as rows or columns (im2row, im2col).
 */
export function conv2d(x: Tensor, w: Tensor, b: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  checkTensor(x, "conv2d", "input");
  checkTensor(w, "conv2d", "weight");
  const dtype = commonDType("conv2d", ...(b === null ? [x, w] : [x, w, checkTensor(b, "conv2d", "bias")]));
  const plan = planConv2d("conv2d", x.shape, w.shape, options);
  if (b !== null && (b.rank !== 1 || b.shape[0] !== plan.shape.outChannels)) {
    throw new ShapeError(`conv2d: expected bias of shape [${plan.shape.outChannels}], got ${formatShape(b.shape)}`);
  }
  const out = allocateOutput(dtype, sizeOf(plan.outShape));
  kernels().conv2d(out, x.data, w.data, plan.shape);
  const y = new Tensor(out, plan.outShape);
  return b === null ? y : add(y, reshape(b, [plan.shape.outChannels, 1, 1]));
}

/**
 * The gradient of conv2d with respect to its input of `inputShape` (a transposed convolution of g with w):
 *   dx[n, c, ·, ·] = col2im(Σ_{o ∈ group(c)} w[o, c, ·, ·]ᵀ · g[n, o, ·, ·]).
 */
export function conv2dBackwardInput(
  g: Tensor,
  w: Tensor,
  inputShape: readonly number[],
  options: Conv2dOptions = {},
): Tensor {
  const dtype = commonDType(
    "conv2dBackwardInput",
    checkTensor(g, "conv2dBackwardInput", "g"),
    checkTensor(w, "conv2dBackwardInput", "weight"),
  );
  const plan = planConv2d("conv2dBackwardInput", inputShape, w.shape, options);
  checkGradShape("conv2dBackwardInput", g, plan.outShape);
  const dx = allocateOutput(dtype, sizeOf(inputShape));
  kernels().conv2dBackwardInput(dx, g.data, w.data, plan.shape);
  return new Tensor(dx, inputShape);
}

/** The gradient of conv2d with respect to its weight of `weightShape`: dw[o, c, p, q] = Σ_n g[n, o, ·, ·] · im2col(x[n])ᵀ, per group. */
export function conv2dBackwardWeight(
  x: Tensor,
  g: Tensor,
  weightShape: readonly number[],
  options: Conv2dOptions = {},
): Tensor {
  const dtype = commonDType(
    "conv2dBackwardWeight",
    checkTensor(x, "conv2dBackwardWeight", "input"),
    checkTensor(g, "conv2dBackwardWeight", "g"),
  );
  const plan = planConv2d("conv2dBackwardWeight", x.shape, weightShape, options);
  checkGradShape("conv2dBackwardWeight", g, plan.outShape);
  const dw = allocateOutput(dtype, sizeOf(weightShape));
  kernels().conv2dBackwardWeight(dw, x.data, g.data, plan.shape);
  return new Tensor(dw, weightShape);
}

function checkGradShape(where: string, g: Tensor, expected: readonly number[]): void {
  if (g.rank !== expected.length || g.shape.some((d, i) => d !== expected[i])) {
    throw new ShapeError(
      `${where}: expected g of the output's shape ${formatShape(expected)}, got ${formatShape(g.shape)}`,
    );
  }
}
