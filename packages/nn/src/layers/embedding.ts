import { DEFAULT_DTYPE, type DType, IndexError, type Rng, Tensor, ValueError, zeros } from "@slope/core";
import { type Var, constant, gather, param, reshape, where } from "@slope/autograd";
import { normal } from "../init/basic.js";
import { Module } from "../module.js";
import { defaultRng } from "../random.js";

/** Options of `Embedding`, PyTorch's. */
export interface EmbeddingOptions {
  /** A row that is zero at initialisation and never receives a gradient (negative counts from the end). */
  paddingIdx?: number;
  /** The generator of the initial weights (default: nn's default generator). */
  rng?: Rng;
  /** The parameters' dtype (float32 by default). */
  dtype?: DType;
}

/**
 * A lookup table, PyTorch's `nn.Embedding`: weight [numEmbeddings, embeddingDim] drawn from N(0, 1),
 * and forward(indices) = the rows of weight at the indices, of shape [...indices.shape, embeddingDim].
 * Its gradient adds each output row's gradient back to the row it came from (none to paddingIdx).
 */
export class Embedding extends Module {
  /** How many rows the table has (the vocabulary's size). */
  readonly numEmbeddings: number;
  /** The length of each row. */
  readonly embeddingDim: number;
  /** The row that stays zero and gets no gradient (made non-negative), or null. */
  readonly paddingIdx: number | null;
  /** The table, [numEmbeddings, embeddingDim]. */
  weight: Var;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    for (const [name, n] of [
      ["numEmbeddings", numEmbeddings],
      ["embeddingDim", embeddingDim],
    ] as const) {
      if (!Number.isInteger(n) || n < 0)
        throw new ValueError(`Embedding: ${name} must be a non-negative integer, got ${n}`);
    }
    let paddingIdx = options.paddingIdx ?? null;
    if (paddingIdx !== null) {
      if (!Number.isInteger(paddingIdx) || paddingIdx < -numEmbeddings || paddingIdx >= numEmbeddings) {
        const range = `[${-numEmbeddings}, ${numEmbeddings})`;
        throw new IndexError(`Embedding: paddingIdx must be an integer in ${range}, got ${paddingIdx}`);
      }
      if (paddingIdx < 0) paddingIdx += numEmbeddings;
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = paddingIdx;
    this.weight = param(zeros([numEmbeddings, embeddingDim], { dtype: options.dtype ?? DEFAULT_DTYPE }));
    this.resetParameters(options.rng);
  }

  /** N(0, 1) again, with the padding row zeroed (PyTorch's `reset_parameters`). */
  resetParameters(rng: Rng = defaultRng()): void {
    normal(this.weight, { mean: 0, std: 1, rng });
    if (this.paddingIdx !== null) {
      const d = this.embeddingDim;
      this.weight.value.data.fill(0, this.paddingIdx * d, (this.paddingIdx + 1) * d);
    }
  }

  /** indices: a Tensor of integer values of any shape, or a flat list → [...shape, embeddingDim]. */
  override forward(indices: Tensor | ArrayLike<number>): Var {
    const shape = indices instanceof Tensor ? [...indices.shape] : [indices.length];
    const flat = indices instanceof Tensor ? indices.data : indices;
    for (let i = 0; i < flat.length; i++) {
      const k = flat[i]!;
      if (!Number.isInteger(k) || k < 0 || k >= this.numEmbeddings) {
        throw new IndexError(
          `Embedding: index ${k} (at flat position ${i}) is out of range for ${this.numEmbeddings} embeddings`,
        );
      }
    }
    let rows = gather(this.weight, flat);
    if (this.paddingIdx !== null) {
      // The padding row's value goes through unchanged but as a constant, so it gets no gradient.
      const keep = zeros(rows.shape, { dtype: rows.dtype });
      const d = this.embeddingDim;
      for (let i = 0; i < flat.length; i++) if (flat[i] !== this.paddingIdx) keep.data.fill(1, i * d, (i + 1) * d);
      rows = where(keep, rows, constant(rows.value));
    }
    return reshape(rows, [...shape, this.embeddingDim]);
  }

  override extraRepr(): string {
    const padding = this.paddingIdx === null ? "" : `, padding_idx=${this.paddingIdx}`;
    return `${this.numEmbeddings}, ${this.embeddingDim}${padding}`;
  }
}
