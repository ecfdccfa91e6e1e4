import { ValueError } from "@slope/core";
import { type Var, type VarLike, avgPool2d, reshape, toVar } from "@slope/autograd";
import { Module } from "../module.js";
import { checkRank } from "./input-checks.js";
import { type Pair, toPair } from "./pair.js";
import { pythonIntOrTuple } from "./python-repr.js";

/** Options of `AvgPool2d`, PyTorch's (`stride` defaults to `kernelSize`). */
export interface AvgPool2dOptions {
  /** Pixels between adjacent windows (kernelSize by default). */
  stride?: Pair;
  /** Zeros added on each side, at most half the kernel (0 by default). */
  padding?: Pair;
  /** Round the output size up instead of down, so a last partial window counts (off by default). */
  ceilMode?: boolean;
  /** Whether the zeros of the padding count in the average's divisor (default true). */
  countIncludePad?: boolean;
}

/** The mean over each kernelSize window of each channel, PyTorch's `nn.AvgPool2d`. */
export class AvgPool2d extends Module {
  /** The window's size, one number or [height, width]. */
  readonly kernelSize: Pair;
  /** Pixels between adjacent windows. */
  readonly stride: Pair;
  /** Zeros added on each side. */
  readonly padding: Pair;
  /** Whether the output size is rounded up. */
  readonly ceilMode: boolean;
  /** Whether the padding's zeros count in the divisor. */
  readonly countIncludePad: boolean;

  constructor(kernelSize: Pair, options: AvgPool2dOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.ceilMode = options.ceilMode ?? false;
    this.countIncludePad = options.countIncludePad ?? true;
    const [kh, kw] = toPair("AvgPool2d", "kernelSize", this.kernelSize, 1);
    toPair("AvgPool2d", "stride", this.stride, 1);
    const [ph, pw] = toPair("AvgPool2d", "padding", this.padding, 0);
    if (2 * ph > kh || 2 * pw > kw) {
      throw new ValueError(
        `AvgPool2d: padding ${pythonIntOrTuple(this.padding)} must be at most half the kernel size ` +
          pythonIntOrTuple(kernelSize),
      );
    }
  }

  /** x [N, C, H, W] (or [C, H, W]) → [N, C, H', W']. */
  override forward(input: VarLike): Var {
    const x = toVar(input);
    checkRank("AvgPool2d", x, [3, 4], "[N, C, H, W] or [C, H, W]");
    const unbatched = x.shape.length === 3;
    const y = avgPool2d(unbatched ? reshape(x, [1, ...x.shape]) : x, {
      kernelSize: this.kernelSize,
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
    });
    return unbatched ? reshape(y, y.shape.slice(1)) : y;
  }

  override extraRepr(): string {
    return (
      `kernel_size=${pythonIntOrTuple(this.kernelSize)}, stride=${pythonIntOrTuple(this.stride)}, ` +
      `padding=${pythonIntOrTuple(this.padding)}`
    );
  }
}
