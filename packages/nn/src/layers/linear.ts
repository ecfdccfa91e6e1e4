import { DEFAULT_DTYPE, type DType, type Rng, ValueError, zeros } from "@slope/core";
import { type Var, type VarLike, add, matmul, param, reshape, toVar } from "@slope/autograd";
import { kaimingUniform } from "../init/kaiming.js";
import { uniform } from "../init/basic.js";
import { Module } from "../module.js";
import { defaultRng } from "../random.js";
import { checkDim } from "./input-checks.js";
import { pythonBool } from "./python-repr.js";

/** Options of `Linear`, PyTorch's. */
export interface LinearOptions {
  /** Whether to learn an additive bias (default true). */
  bias?: boolean;
  /** The generator of the initial weights (default: nn's default generator). */
  rng?: Rng;
  /** The parameters' dtype (float32 by default). */
  dtype?: DType;
}

/**
 * y = x·Wᵀ + b over the last axis of x, PyTorch's `nn.Linear`: weight [outFeatures, inFeatures],
 * bias [outFeatures]. Default initialisation as PyTorch's: W by kaimingUniform(a = √5), which is
 * U(±1/√inFeatures), and b by U(±1/√inFeatures).
 */
export class Linear extends Module {
  /** The size of each input row, the last axis of x. */
  readonly inFeatures: number;
  /** The size of each output row. */
  readonly outFeatures: number;
  /** W, [outFeatures, inFeatures]. */
  weight: Var;
  /** b, [outFeatures], or null without a bias. */
  bias: Var | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    for (const [name, n] of [
      ["inFeatures", inFeatures],
      ["outFeatures", outFeatures],
    ] as const) {
      if (!Number.isInteger(n) || n < 0)
        throw new ValueError(`Linear: ${name} must be a non-negative integer, got ${n}`);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const dtype = options.dtype ?? DEFAULT_DTYPE;
    this.weight = param(zeros([outFeatures, inFeatures], { dtype }));
    this.bias = (options.bias ?? true) ? param(zeros([outFeatures], { dtype })) : null;
    this.resetParameters(options.rng);
  }

  /** Draws fresh initial values, PyTorch's `reset_parameters`. */
  resetParameters(rng: Rng = defaultRng()): void {
    kaimingUniform(this.weight, { a: Math.sqrt(5), rng });
    if (this.bias !== null) {
      const bound = this.inFeatures > 0 ? 1 / Math.sqrt(this.inFeatures) : 0;
      uniform(this.bias, { low: -bound, high: bound, rng });
    }
  }

  /** x [..., inFeatures] → [..., outFeatures]. */
  override forward(input: VarLike): Var {
    const x = toVar(input);
    checkDim("Linear", x, -1, this.inFeatures, "in_features", "[..., in_features]");
    const rows = x.shape.length === 2 ? x : reshape(x, [-1, this.inFeatures]);
    const y = matmul(rows, this.weight, { transposeB: true });
    const out = this.bias === null ? y : add(y, this.bias);
    return x.shape.length === 2 ? out : reshape(out, [...x.shape.slice(0, -1), this.outFeatures]);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pythonBool(this.bias !== null)}`;
  }
}
