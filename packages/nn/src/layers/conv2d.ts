import { DEFAULT_DTYPE, type DType, type Rng, ValueError, zeros } from "@slope/core";
import { type Var, type VarLike, conv2d, param, reshape, toVar } from "@slope/autograd";
import { kaimingUniform } from "../init/kaiming.js";
import { uniform } from "../init/basic.js";
import { Module } from "../module.js";
import { defaultRng } from "../random.js";
import { checkDim, checkRank } from "./input-checks.js";
import { type Pair, toPair } from "./pair.js";
import { pythonTuple } from "./python-repr.js";

/** Options of `Conv2d`, PyTorch's. */
export interface Conv2dOptions {
  /** Pixels between adjacent windows, one number or [height, width] (1 by default). */
  stride?: Pair;
  /** Zeros added on each side, or "valid" (none) or "same" (output as large as the input; stride 1 only). */
  padding?: Pair | "same" | "valid";
  /** Pixels between a kernel's taps (1 by default: adjacent). */
  dilation?: Pair;
  /** Split the channels into `groups` independent convolutions; both channel counts must divide by it. */
  groups?: number;
  /** Whether to learn an additive bias per output channel (default true). */
  bias?: boolean;
  /** The generator of the initial weights (default: nn's default generator). */
  rng?: Rng;
  /** The parameters' dtype (float32 by default). */
  dtype?: DType;
}

/**
 * The 2-D convolution (cross-correlation, as in PyTorch) of an input [N, inChannels, H, W], PyTorch's
 * `nn.Conv2d`: weight [outChannels, inChannels/groups, kh, kw], bias [outChannels]. Default
 * initialisation as PyTorch's: W by kaimingUniform(a = √5), which is U(±1/√fanIn) with
 * fanIn = inChannels/groups·kh·kw, and b by U(±1/√fanIn).
 */
export class Conv2d extends Module {
  /** Channels of the input. */
  readonly inChannels: number;
  /** Channels of the output, one filter each. */
  readonly outChannels: number;
  /** The filters' [height, width]. */
  readonly kernelSize: [number, number];
  /** Pixels between adjacent windows, [height, width]. */
  readonly stride: [number, number];
  /** Zeros added on each side, [height, width], or "same" / "valid". */
  readonly padding: [number, number] | "same" | "valid";
  /** Pixels between a kernel's taps, [height, width]. */
  readonly dilation: [number, number];
  /** Independent convolutions the channels are split into. */
  readonly groups: number;
  /** The filters, [outChannels, inChannels/groups, kh, kw]. */
  weight: Var;
  /** b, [outChannels], or null without a bias. */
  bias: Var | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, options: Conv2dOptions = {}) {
    super();
    const { groups = 1, padding = 0 } = options;
    for (const [name, n] of [
      ["inChannels", inChannels],
      ["outChannels", outChannels],
      ["groups", groups],
    ] as const) {
      if (!Number.isInteger(n) || n < 1) throw new ValueError(`Conv2d: ${name} must be a positive integer, got ${n}`);
    }
    if (inChannels % groups !== 0) {
      throw new ValueError(`Conv2d: inChannels (${inChannels}) must be divisible by groups (${groups})`);
    }
    if (outChannels % groups !== 0) {
      throw new ValueError(`Conv2d: outChannels (${outChannels}) must be divisible by groups (${groups})`);
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = toPair("Conv2d", "kernelSize", kernelSize, 1);
    this.stride = toPair("Conv2d", "stride", options.stride ?? 1, 1);
    this.dilation = toPair("Conv2d", "dilation", options.dilation ?? 1, 1);
    this.groups = groups;
    if (padding === "same" || padding === "valid") {
      if (padding === "same" && (this.stride[0] !== 1 || this.stride[1] !== 1)) {
        throw new ValueError(`Conv2d: padding "same" needs stride 1, got stride ${pythonTuple(this.stride)}`);
      }
      this.padding = padding;
    } else {
      this.padding = toPair("Conv2d", "padding", padding, 0);
    }
    const dtype = options.dtype ?? DEFAULT_DTYPE;
    this.weight = param(zeros([outChannels, inChannels / groups, ...this.kernelSize], { dtype }));
    this.bias = (options.bias ?? true) ? param(zeros([outChannels], { dtype })) : null;
    this.resetParameters(options.rng);
  }

  /** Draws fresh initial values, PyTorch's `reset_parameters`. */
  resetParameters(rng: Rng = defaultRng()): void {
    kaimingUniform(this.weight, { a: Math.sqrt(5), rng });
    if (this.bias !== null) {
      const fanIn = (this.inChannels / this.groups) * this.kernelSize[0] * this.kernelSize[1];
      const bound = 1 / Math.sqrt(fanIn);
      uniform(this.bias, { low: -bound, high: bound, rng });
    }
  }

  /** x [N, inChannels, H, W] (or unbatched [inChannels, H, W]) → [N, outChannels, H', W']. */
  override forward(input: VarLike): Var {
    const x = toVar(input);
    checkRank("Conv2d", x, [3, 4], "[N, C, H, W] or [C, H, W]");
    const unbatched = x.shape.length === 3;
    checkDim("Conv2d", x, unbatched ? 0 : 1, this.inChannels, "in_channels", unbatched ? "[C, H, W]" : "[N, C, H, W]");
    const batch = unbatched ? reshape(x, [1, ...x.shape]) : x;
    const y = conv2d(batch, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
    });
    return unbatched ? reshape(y, y.shape.slice(1)) : y;
  }

  override extraRepr(): string {
    let s =
      `${this.inChannels}, ${this.outChannels}, kernel_size=${pythonTuple(this.kernelSize)}, ` +
      `stride=${pythonTuple(this.stride)}`;
    const padding = this.padding;
    if (typeof padding === "string") s += `, padding=${padding}`;
    else if (padding[0] !== 0 || padding[1] !== 0) s += `, padding=${pythonTuple(padding)}`;
    if (this.dilation[0] !== 1 || this.dilation[1] !== 1) s += `, dilation=${pythonTuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    return s;
  }
}
