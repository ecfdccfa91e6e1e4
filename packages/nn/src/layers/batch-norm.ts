import { DEFAULT_DTYPE, type DType, type Tensor, ValueError, formatShape, ones, scalar, zeros } from "@slope/core";
import { type Var, type VarLike, batchNorm, param, toVar } from "@slope/autograd";
import { Module } from "../module.js";
import { checkDim, checkRank } from "./input-checks.js";
import { pythonBool, pythonFloat } from "./python-repr.js";

/** Options of `BatchNorm1d` and `BatchNorm2d`, PyTorch's. */
export interface BatchNormOptions {
  /** ε added to the variance under the root (1e-5 by default). */
  eps?: number;
  /** The running statistics' update weight (default 0.1); null for the cumulative average 1/numBatchesTracked. */
  momentum?: number | null;
  /** Whether to learn a per-channel scale (weight, init 1) and shift (bias, init 0); default true. */
  affine?: boolean;
  /** Whether to keep running statistics for evaluation (default true); without them eval uses the batch's. */
  trackRunningStats?: boolean;
  /** The parameters' and buffers' dtype (float32 by default). */
  dtype?: DType;
}

/**
 * Batch normalisation over axis 1 (the channels), PyTorch's `_BatchNorm`:
 *   y = (x − μ) / √(σ² + eps) · weight + bias,
 * μ, σ² the batch's statistics over every axis but 1 in training (σ² biased) and the running ones
 * in evaluation. Training also updates the buffers, under PyTorch's keys: running_mean and
 * running_var ← (1 − m)·running + m·batch statistic (unbiased variance), with m = momentum, or
 * 1/num_batches_tracked when momentum is null (the cumulative average); num_batches_tracked += 1.
 */
export abstract class BatchNormBase extends Module {
  /** C, the number of channels (axis 1 of the input). */
  readonly numFeatures: number;
  /** ε added to the variance under the root. */
  readonly eps: number;
  /** The running statistics' update weight m, or null for the cumulative average. */
  readonly momentum: number | null;
  /** Whether weight and bias are learned. */
  readonly affine: boolean;
  /** Whether running statistics are kept for evaluation. */
  readonly trackRunningStats: boolean;
  /** The per-channel scale γ, [numFeatures] (null when not affine). */
  weight: Var | null;
  /** The per-channel shift β, [numFeatures] (null when not affine). */
  bias: Var | null;
  /** The running mean per channel, used in evaluation (a buffer; null without running statistics). */
  declare running_mean: Tensor | null;
  /** The running unbiased variance per channel, used in evaluation (a buffer). */
  declare running_var: Tensor | null;
  /** How many training batches have updated the running statistics (a buffer). */
  declare num_batches_tracked: Tensor | null;

  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super();
    const name = this.constructor.name;
    if (!Number.isInteger(numFeatures) || numFeatures < 1) {
      throw new ValueError(`${name}: numFeatures must be a positive integer, got ${numFeatures}`);
    }
    const { eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true } = options;
    if (!(eps > 0)) throw new ValueError(`${name}: eps must be positive, got ${eps}`);
    if (momentum !== null && !(momentum >= 0 && momentum <= 1)) {
      throw new ValueError(`${name}: momentum must be in [0, 1] or null, got ${momentum}`);
    }
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    const dtype = options.dtype ?? DEFAULT_DTYPE;
    this.weight = affine ? param(ones([numFeatures], { dtype })) : null;
    this.bias = affine ? param(zeros([numFeatures], { dtype })) : null;
    this.registerBuffer("running_mean", trackRunningStats ? zeros([numFeatures], { dtype }) : null);
    this.registerBuffer("running_var", trackRunningStats ? ones([numFeatures], { dtype }) : null);
    // An integer count in PyTorch (int64); a scalar of the module's dtype here, exact up to 2²⁴ batches in float32.
    this.registerBuffer("num_batches_tracked", trackRunningStats ? scalar(0, dtype) : null);
  }

  /** running_mean, by its camelCase name. */
  get runningMean(): Tensor | null {
    return this.running_mean;
  }

  /** running_var, by its camelCase name. */
  get runningVar(): Tensor | null {
    return this.running_var;
  }

  /** num_batches_tracked, by its camelCase name. */
  get numBatchesTracked(): Tensor | null {
    return this.num_batches_tracked;
  }

  /** Running statistics back to mean 0, variance 1, no batches seen (PyTorch's `reset_running_stats`). */
  resetRunningStats(): void {
    this.running_mean?.data.fill(0);
    this.running_var?.data.fill(1);
    this.num_batches_tracked?.data.fill(0);
  }

  /** Running statistics reset, weight 1, bias 0 (PyTorch's `reset_parameters`). */
  resetParameters(): void {
    this.resetRunningStats();
    this.weight?.value.data.fill(1);
    this.bias?.value.data.fill(0);
  }

  /** The input's ranks this layer accepts and how they read, as "[N, C, H, W]". */
  protected abstract readonly ranks: readonly number[];
  /** The input layouts the layer accepts, for error messages ("[N, C, H, W]"). */
  protected abstract readonly layout: string;

  override forward(input: VarLike): Var {
    const x = toVar(input);
    const name = this.constructor.name;
    checkRank(name, x, this.ranks, this.layout);
    checkDim(name, x, 1, this.numFeatures, "num_features", this.layout);
    if (this.training && x.size / this.numFeatures <= 1) {
      throw new ValueError(
        `${name}: expected more than 1 value per channel when training, got input of shape ${formatShape(x.shape)}`,
      );
    }
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.num_batches_tracked !== null) {
      this.num_batches_tracked.data[0]! += 1;
      if (this.momentum === null) factor = 1 / this.num_batches_tracked.data[0]!;
    }
    // Running statistics are used in eval and updated in training; without them both modes use the batch's.
    const useRunning = !this.training || this.trackRunningStats;
    const training = this.training || (this.running_mean === null && this.running_var === null);
    const runningMean = useRunning ? this.running_mean : null;
    const runningVar = useRunning ? this.running_var : null;
    return batchNorm(x, runningMean, runningVar, this.weight, this.bias, { training, momentum: factor, eps: this.eps });
  }

  override extraRepr(): string {
    const momentum = this.momentum === null ? "None" : pythonFloat(this.momentum);
    return (
      `${this.numFeatures}, eps=${pythonFloat(this.eps)}, momentum=${momentum}, affine=${pythonBool(this.affine)}, ` +
      `track_running_stats=${pythonBool(this.trackRunningStats)}`
    );
  }
}

/** Batch normalisation of [N, C] or [N, C, L] over N (and L), PyTorch's `nn.BatchNorm1d`. */
export class BatchNorm1d extends BatchNormBase {
  protected readonly ranks = [2, 3];
  /** [N, C] or [N, C, L], for error messages. */
  protected readonly layout = "[N, C] or [N, C, L]";
}

/** Batch normalisation of [N, C, H, W] over N, H and W, PyTorch's `nn.BatchNorm2d`. */
export class BatchNorm2d extends BatchNormBase {
  protected readonly ranks = [4];
  /** [N, C, H, W], for error messages. */
  protected readonly layout = "[N, C, H, W]";
}
