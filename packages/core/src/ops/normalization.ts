import { allocate, allocateOutput } from "../buffers.js";
import { DEFAULT_DTYPE, type DType } from "../dtype.js";
import { DTypeError, ShapeError, ValueError, formatShape } from "../errors.js";
import { kernels } from "../kernels/index.js";
import type { Rng } from "../rng.js";
import { sameShape, sizeOf } from "../shape.js";
import { Tensor, checkTensor } from "../tensor.js";

/** Options of `batchNormForward` (torch.nn.functional.batch_norm's). */
export interface BatchNormOptions {
  /** Batch statistics (and running-statistic updates) when true, the running statistics when false. */
  training: boolean;
  /** running = (1 − momentum)·running + momentum·batch statistic; any number in [0, 1]. Default 0.1. */
  momentum?: number;
  /** Added to the variance before the square root. Default 1e-5. */
  eps?: number;
  /** Also return x̂ for a backward pass (default true); false saves a write of x's size when none will run. */
  saveNormalized?: boolean;
}

/**
 * What the forward of a normalization returns: the output, and what its backward needs — x̂ (x's shape and
 * dtype) and inv = 1/√(σ² + ε) per channel (float64, whatever x's dtype).
 */
export interface NormalizationForward {
  /** The normalized output (with the affine part, where the op has one). */
  output: Tensor;
  /** x̂; null when not asked for (`saveNormalized: false`). */
  normalized: Tensor | null;
  /** 1/√(σ² + ε) per channel or group. */
  invStd: Float64Array;
}

/** The gradients a normalization's backward returns, null where not asked for. */
export interface NormalizationBackward {
  /** ∂L/∂x. */
  dx: Tensor | null;
  /** ∂L/∂weight, Σ g·x̂ per channel. */
  dWeight: Tensor | null;
  /** ∂L/∂bias, Σ g per channel. */
  dBias: Tensor | null;
}

/** Checks an optional per-channel tensor: a Tensor of `shape` and `dtype`, or null. */
function checkPerChannel(
  t: Tensor | null | undefined,
  name: string,
  where: string,
  shape: readonly number[],
  dtype: DType,
): Tensor | null {
  if (t === null || t === undefined) return null;
  checkTensor(t, where, name);
  if (!sameShape(t.shape, shape)) {
    throw new ShapeError(`${where}: ${name} must have shape ${formatShape(shape)}, got ${formatShape(t.shape)}`);
  }
  if (t.dtype !== dtype) {
    throw new DTypeError(`${where}: ${name} is ${t.dtype} but the input is ${dtype} (cast one explicitly)`);
  }
  return t;
}

/** Checks that the gradient g matches the saved x̂ in shape and dtype. */
function checkGradient(g: Tensor, normalized: Tensor, where: string): void {
  checkTensor(g, where, "g");
  if (!sameShape(g.shape, normalized.shape) || g.dtype !== normalized.dtype) {
    const expected = `${normalized.dtype} ${formatShape(normalized.shape)}`;
    throw new ShapeError(`${where}: g is ${g.dtype} ${formatShape(g.shape)}, expected ${expected}`);
  }
}

function checkEps(eps: number, where: string): void {
  if (typeof eps !== "number" || !(eps >= 0)) {
    throw new ValueError(`${where}: eps must be a non-negative number, got ${eps}`);
  }
}

/**
 * Batch normalization (torch.nn.functional.batch_norm) of x [N, C, *], per channel over every axis but 1:
 * y = (x − μ)/√(σ² + ε)·γ + β. Training: μ and the biased σ² of the batch, and the running tensors (when
 * given) updated in place, running_mean ← (1 − m)·running_mean + m·μ, running_var ← (1 − m)·running_var +
 * m·σ²·n/(n − 1) (unbiased), n = N·∏*; n = 1 is a ValueError as in PyTorch. Eval: μ and σ² are the running
 * tensors (required then). Statistics accumulate in float64; γ, β absent mean 1 and 0.
 */
export function batchNormForward(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null,
  bias: Tensor | null,
  options: BatchNormOptions,
): NormalizationForward {
  checkTensor(x, "batchNorm", "x");
  const [outer, channels] = x.shape;
  if (outer === undefined || channels === undefined) {
    throw new ShapeError(`batchNorm: expected an input of shape [N, C] or [N, C, *], got ${formatShape(x.shape)}`);
  }
  if (!options || typeof options.training !== "boolean") {
    throw new ValueError(`batchNorm: options.training must be true or false, got ${String(options?.training)}`);
  }
  const { training, momentum = 0.1, eps = 1e-5, saveNormalized = true } = options;
  if (typeof momentum !== "number" || !(momentum >= 0 && momentum <= 1)) {
    throw new ValueError(`batchNorm: momentum must be a number in [0, 1], got ${momentum}`);
  }
  checkEps(eps, "batchNorm");
  const inner = x.size / Math.max(outer * channels, 1);
  const perChannel = [channels];
  const mean = checkPerChannel(runningMean, "runningMean", "batchNorm", perChannel, x.dtype);
  const variance = checkPerChannel(runningVar, "runningVar", "batchNorm", perChannel, x.dtype);
  const gamma = checkPerChannel(weight, "weight", "batchNorm", perChannel, x.dtype);
  const beta = checkPerChannel(bias, "bias", "batchNorm", perChannel, x.dtype);
  const n = outer * inner;
  if (training && n === 1) {
    throw new ValueError(
      `batchNorm: expected more than 1 value per channel when training, got input of shape ${formatShape(x.shape)}`,
    );
  }
  const kernel = kernels();
  const mu = allocate("float64", channels) as Float64Array;
  const invStd = allocate("float64", channels) as Float64Array;
  if (training) {
    const sigma2 = allocate("float64", channels) as Float64Array;
    if (n > 0) {
      kernel.batchNormStatistics(mu, sigma2, x.data, outer, channels, inner);
      for (let c = 0; c < channels; c++) invStd[c] = 1 / Math.sqrt(sigma2[c]! + eps);
      // The update PyTorch makes; an empty batch leaves the running statistics as they were.
      if (mean !== null) {
        for (let c = 0; c < channels; c++) mean.data[c] = (1 - momentum) * mean.data[c]! + momentum * mu[c]!;
      }
      if (variance !== null) {
        const unbias = n / (n - 1);
        for (let c = 0; c < channels; c++) {
          variance.data[c] = (1 - momentum) * variance.data[c]! + momentum * sigma2[c]! * unbias;
        }
      }
    }
  } else {
    if (mean === null || variance === null) {
      throw new ValueError("batchNorm: eval mode (training: false) needs runningMean and runningVar");
    }
    for (let c = 0; c < channels; c++) {
      mu[c] = mean.data[c]!;
      invStd[c] = 1 / Math.sqrt(variance.data[c]! + eps);
    }
  }
  const output = allocateOutput(x.dtype, x.size);
  const normalized = saveNormalized ? allocateOutput(x.dtype, x.size) : null;
  kernel.batchNormForward(
    output,
    normalized,
    x.data,
    outer,
    channels,
    inner,
    mu,
    invStd,
    gamma?.data ?? null,
    beta?.data ?? null,
  );
  return { output: new Tensor(output, x.shape), normalized: normalized && new Tensor(normalized, x.shape), invStd };
}

/**
 * The backward of batchNormForward from g = ∂L/∂y and the saved x̂ and inv, per channel:
 * dγ = Σ g·x̂, dβ = Σ g, and dx = (1/n)·γ·inv·(n·g − Σg − x̂·Σ(g·x̂)) in training (μ and σ² depend on
 * x), dx = g·γ·inv in eval. Only the gradients asked for in `needs` ([x, weight, bias]) are computed.
 */
export function batchNormBackward(
  g: Tensor,
  normalized: Tensor,
  invStd: Float64Array,
  weight: Tensor | null,
  options: { training: boolean; needs: readonly [boolean, boolean, boolean] },
): NormalizationBackward {
  checkGradient(g, normalized, "batchNormBackward");
  const [outer, channels] = g.shape;
  if (outer === undefined || channels === undefined) {
    throw new ShapeError(`batchNormBackward: expected g of shape [N, C] or [N, C, *], got ${formatShape(g.shape)}`);
  }
  if (!(invStd instanceof Float64Array) || invStd.length !== channels) {
    const got = invStd instanceof Float64Array ? `${invStd.length} values` : typeof invStd;
    throw new ShapeError(
      `batchNormBackward: expected invStd to be a Float64Array of ${channels} values (one per channel), got ${got}`,
    );
  }
  const inner = g.size / Math.max(outer * channels, 1);
  const [needsX, needsWeight, needsBias] = options.needs;
  const dx = needsX ? allocateOutput(g.dtype, g.size) : null;
  const dWeight = needsWeight ? allocateOutput(g.dtype, channels) : null;
  const dBias = needsBias ? allocateOutput(g.dtype, channels) : null;
  kernels().batchNormBackward(
    dx,
    dWeight,
    dBias,
    g.data,
    normalized.data,
    outer,
    channels,
    inner,
    invStd,
    weight?.data ?? null,
    options.training,
  );
  return {
    dx: dx && new Tensor(dx, g.shape),
    dWeight: dWeight && new Tensor(dWeight, [channels]),
    dBias: dBias && new Tensor(dBias, [channels]),
  };
}

/**
 * Layer normalization without the affine part: x̂ = (x − μ)/√(σ² + ε) with μ and the biased σ² of each
 * group of the last `normalizedSize` elements (the last len(normalizedShape) dims), accumulated in float64.
 */
export function layerNormForward(
  x: Tensor,
  normalizedSize: number,
  eps = 1e-5,
): NormalizationForward & {
  /** x̂, always saved by layer normalization. */
  normalized: Tensor;
} {
  checkTensor(x, "layerNorm", "x");
  checkEps(eps, "layerNorm");
  if (!Number.isInteger(normalizedSize) || normalizedSize < 1 || x.size % normalizedSize !== 0) {
    throw new ShapeError(
      `layerNorm: cannot normalize groups of ${normalizedSize} elements of an input of shape ${formatShape(x.shape)}`,
    );
  }
  const rows = x.size / normalizedSize;
  const mu = allocate("float64", rows) as Float64Array;
  const sigma2 = allocate("float64", rows) as Float64Array;
  const invStd = allocate("float64", rows) as Float64Array;
  const kernel = kernels();
  kernel.batchNormStatistics(mu, sigma2, x.data, 1, rows, normalizedSize);
  for (let r = 0; r < rows; r++) invStd[r] = 1 / Math.sqrt(sigma2[r]! + eps);
  const normalized = allocateOutput(x.dtype, x.size);
  kernel.batchNormForward(normalized, null, x.data, 1, rows, normalizedSize, mu, invStd, null, null);
  const output = new Tensor(normalized, x.shape);
  return { output, normalized: output, invStd };
}

/** The backward of layerNormForward: dx = (inv/D)·(D·g − Σg − x̂·Σ(g·x̂)) over each group of D elements. */
export function layerNormBackward(g: Tensor, normalized: Tensor, invStd: Float64Array): Tensor {
  checkGradient(g, normalized, "layerNormBackward");
  const rows = invStd.length;
  const dx = allocateOutput(g.dtype, g.size);
  const inner = g.size / Math.max(rows, 1);
  kernels().batchNormBackward(dx, null, null, g.data, normalized.data, 1, rows, inner, invStd, null, true);
  return new Tensor(dx, g.shape);
}

/**
 * The mask of inverted dropout: each element independently 1/(1 − p) with probability 1 − p (u < 1 − p,
 * u uniform in [0, 1) drawn from `rng` in row-major order) and 0 otherwise, so E[x·mask] = x.
 * p = 1 gives zeros (no division by zero). The same rng state gives the same mask.
 */
export function dropoutMask(shape: readonly number[], p: number, rng: Rng, dtype: DType = DEFAULT_DTYPE): Tensor {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
    throw new ValueError(`dropout: p must be a probability in [0, 1], got ${p}`);
  }
  if (!rng || typeof rng.uniform !== "function") {
    throw new ValueError("dropout: an rng is required (every random thing in Slope is seeded): new Rng(seed)");
  }
  const mask = allocateOutput(dtype, sizeOf(shape));
  const keep = 1 - p;
  const scale = p === 1 ? 0 : 1 / keep;
  for (let i = 0; i < mask.length; i++) mask[i] = rng.uniform() < keep ? scale : 0;
  return new Tensor(mask, shape);
}
