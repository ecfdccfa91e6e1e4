import { type Var, type VarLike, adaptiveAvgPool2d, reshape, toVar } from "@slope/autograd";
import { Module } from "../module.js";
import { checkRank } from "./input-checks.js";
import { type Pair, toPair } from "./pair.js";
import { pythonIntOrTuple } from "./python-repr.js";

/**
 * The average over adaptive windows giving an output of `outputSize` whatever the input's size,
 * PyTorch's `nn.AdaptiveAvgPool2d` (window i of n over a length L spans ⌊iL/n⌋ … ⌈(i+1)L/n⌉).
 * `new AdaptiveAvgPool2d(1)` is the global average pool.
 */
export class AdaptiveAvgPool2d extends Module {
  /** The output's [height, width] (one number: a square), whatever the input's. */
  readonly outputSize: Pair;

  constructor(outputSize: Pair) {
    super();
    toPair("AdaptiveAvgPool2d", "outputSize", outputSize, 1);
    this.outputSize = outputSize;
  }

  /** x [N, C, H, W] (or [C, H, W]) → [N, C, outH, outW]. */
  override forward(input: VarLike): Var {
    const x = toVar(input);
    checkRank("AdaptiveAvgPool2d", x, [3, 4], "[N, C, H, W] or [C, H, W]");
    const unbatched = x.shape.length === 3;
    const size = typeof this.outputSize === "number" ? this.outputSize : ([...this.outputSize] as [number, number]);
    const y = adaptiveAvgPool2d(unbatched ? reshape(x, [1, ...x.shape]) : x, size);
    return unbatched ? reshape(y, y.shape.slice(1)) : y;
  }

  override extraRepr(): string {
    return `output_size=${pythonIntOrTuple(this.outputSize)}`;
  }
}
