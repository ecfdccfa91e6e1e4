import { DEFAULT_DTYPE, type DType, ShapeError, ValueError, formatShape, ones, zeros } from "@slope/core";
import { type Var, type VarLike, layerNorm, param, toVar } from "@slope/autograd";
import { Module } from "../module.js";
import { pythonBool, pythonFloat, pythonTuple } from "./python-repr.js";

/** Options of `LayerNorm`, PyTorch's. */
export interface LayerNormOptions {
  /** ε added to the variance under the root (1e-5 by default). */
  eps?: number;
  /** Whether to learn a scale (weight, init 1) and, if `bias`, a shift (init 0) of normalizedShape; default true. */
  elementwiseAffine?: boolean;
  /** Whether the affine part includes a shift (default true). */
  bias?: boolean;
  /** The parameters' dtype (float32 by default). */
  dtype?: DType;
}

/**
 * Layer normalisation over the last dimensions (those of `normalizedShape`), PyTorch's `nn.LayerNorm`:
 * y = (x − μ) / √(σ² + eps) · weight + bias, μ and σ² (biased) of each sample over those dimensions.
 */
export class LayerNorm extends Module {
  /** The trailing dimensions normalized over, e.g. [D] for rows of D features. */
  readonly normalizedShape: readonly number[];
  /** ε added to the variance under the root. */
  readonly eps: number;
  /** Whether weight (and bias) are learned. */
  readonly elementwiseAffine: boolean;
  /** The scale γ, of normalizedShape (null without the affine part). */
  weight: Var | null;
  /** The shift β, of normalizedShape (null without it). */
  bias: Var | null;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    const shape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
    if (shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
      throw new ValueError(
        `LayerNorm: normalizedShape must be positive integers, got ${JSON.stringify(normalizedShape)}`,
      );
    }
    const { eps = 1e-5, elementwiseAffine = true, bias = true } = options;
    if (!(eps > 0)) throw new ValueError(`LayerNorm: eps must be positive, got ${eps}`);
    this.normalizedShape = Object.freeze(shape);
    this.eps = eps;
    this.elementwiseAffine = elementwiseAffine;
    const dtype = options.dtype ?? DEFAULT_DTYPE;
    this.weight = elementwiseAffine ? param(ones(shape, { dtype })) : null;
    this.bias = elementwiseAffine && bias ? param(zeros(shape, { dtype })) : null;
  }

  /** Weight 1, bias 0 (PyTorch's `reset_parameters`). */
  resetParameters(): void {
    this.weight?.value.data.fill(1);
    this.bias?.value.data.fill(0);
  }

  /** x [..., *normalizedShape] → the same shape. */
  override forward(input: VarLike): Var {
    const x = toVar(input);
    const n = this.normalizedShape.length;
    const trailing = x.shape.slice(x.shape.length - n);
    if (x.shape.length < n || !trailing.every((d, i) => d === this.normalizedShape[i])) {
      throw new ShapeError(
        `LayerNorm: expected an input of shape [*, ${this.normalizedShape.join(", ")}] (normalized_shape = ` +
          `${formatShape(this.normalizedShape)}), got shape ${formatShape(x.shape)}`,
      );
    }
    return layerNorm(x, [...this.normalizedShape], this.weight, this.bias, { eps: this.eps });
  }

  override extraRepr(): string {
    const affine = pythonBool(this.elementwiseAffine);
    return `${pythonTuple(this.normalizedShape)}, eps=${pythonFloat(this.eps)}, elementwise_affine=${affine}`;
  }
}
