import { ValueError } from "@slope/core";
import { type Var, type VarLike, maxPool2d, reshape, toVar } from "@slope/autograd";
import { Module } from "../module.js";
import { checkRank } from "./input-checks.js";
import { type Pair, toPair } from "./pair.js";
import { pythonBool, pythonIntOrTuple } from "./python-repr.js";

/** Options of `MaxPool2d`, PyTorch's (`stride` defaults to `kernelSize`). */
export interface MaxPool2dOptions {
  /** Pixels between adjacent windows (kernelSize by default). */
  stride?: Pair;
  /** −∞ rows and columns added on each side, at most half the kernel (0 by default). */
  padding?: Pair;
  /** Pixels between a window's taps (1 by default). */
  dilation?: Pair;
  /** Round the output size up instead of down, so a last partial window counts (off by default). */
  ceilMode?: boolean;
}

/** The maximum over each kernelSize window of each channel, PyTorch's `nn.MaxPool2d` (padding counts as −∞). */
export class MaxPool2d extends Module {
  /** The window's size, one number or [height, width]. */
  readonly kernelSize: Pair;
  /** Pixels between adjacent windows. */
  readonly stride: Pair;
  /** −∞ rows and columns added on each side. */
  readonly padding: Pair;
  /** Pixels between a window's taps. */
  readonly dilation: Pair;
  /** Whether the output size is rounded up. */
  readonly ceilMode: boolean;

  constructor(kernelSize: Pair, options: MaxPool2dOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.dilation = options.dilation ?? 1;
    this.ceilMode = options.ceilMode ?? false;
    const [kh, kw] = toPair("MaxPool2d", "kernelSize", this.kernelSize, 1);
    toPair("MaxPool2d", "stride", this.stride, 1);
    const [dh, dw] = toPair("MaxPool2d", "dilation", this.dilation, 1);
    const [ph, pw] = toPair("MaxPool2d", "padding", this.padding, 0);
    if (2 * ph > dh * (kh - 1) + 1 || 2 * pw > dw * (kw - 1) + 1) {
      throw new ValueError(
        `MaxPool2d: padding ${pythonIntOrTuple(this.padding)} must be at most half the (dilated) kernel size ` +
          pythonIntOrTuple(kernelSize),
      );
    }
  }

  /** x [N, C, H, W] (or [C, H, W]) → [N, C, H', W']. */
  override forward(input: VarLike): Var {
    const x = toVar(input);
    checkRank("MaxPool2d", x, [3, 4], "[N, C, H, W] or [C, H, W]");
    const unbatched = x.shape.length === 3;
    const y = maxPool2d(unbatched ? reshape(x, [1, ...x.shape]) : x, {
      kernelSize: this.kernelSize,
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      ceilMode: this.ceilMode,
    });
    return unbatched ? reshape(y, y.shape.slice(1)) : y;
  }

  override extraRepr(): string {
    return (
      `kernel_size=${pythonIntOrTuple(this.kernelSize)}, stride=${pythonIntOrTuple(this.stride)}, ` +
      `padding=${pythonIntOrTuple(this.padding)}, dilation=${pythonIntOrTuple(this.dilation)}, ` +
      `ceil_mode=${pythonBool(this.ceilMode)}`
    );
  }
}
