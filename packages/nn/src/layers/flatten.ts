import { IndexError, formatShape } from "@slope/core";
import { type Var, type VarLike, reshape, toVar } from "@slope/autograd";
import { Module } from "../module.js";

/** Merges dimensions startDim … endDim (inclusive; negative counts from the end) into one, PyTorch's `nn.Flatten`. */
export class Flatten extends Module {
  /** The first dimension merged (1 by default, keeping the batch axis). */
  readonly startDim: number;
  /** The last dimension merged (−1 by default, the last). */
  readonly endDim: number;

  constructor(startDim = 1, endDim = -1) {
    super();
    this.startDim = startDim;
    this.endDim = endDim;
  }

  override forward(input: VarLike): Var {
    const x = toVar(input);
    const rank = Math.max(x.shape.length, 1); // a scalar flattens like a vector of one element, as in PyTorch
    const start = this.startDim < 0 ? this.startDim + rank : this.startDim;
    const end = this.endDim < 0 ? this.endDim + rank : this.endDim;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end >= rank || start > end) {
      throw new IndexError(
        `Flatten: startDim ${this.startDim} and endDim ${this.endDim} do not select dimensions in order of an input ` +
          `of shape ${formatShape(x.shape)}`,
      );
    }
    if (x.shape.length === 0) return reshape(x, [1]);
    const merged = x.shape.slice(start, end + 1).reduce((a, b) => a * b, 1);
    return reshape(x, [...x.shape.slice(0, start), merged, ...x.shape.slice(end + 1)]);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}
