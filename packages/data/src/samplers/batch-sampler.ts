import { ValueError } from "@slope/core";
import type { Sampler } from "./sampler.js";

/**
 * Groups a sampler's epoch into batches of `batchSize` indices; the last, smaller batch is kept
 * unless `dropLast`. Batches are views into one epoch order (no copy per batch).
 */
export class BatchSampler implements Iterable<Int32Array> {
  /**
   * @param sampler The order of the rows, one epoch at a time.
   * @param batchSize Indices per batch.
   * @param dropLast Leave out a last batch smaller than batchSize (off by default).
   */
  constructor(
    readonly sampler: Sampler,
    readonly batchSize: number,
    readonly dropLast = false,
  ) {
    if (typeof dropLast !== "boolean") {
      throw new ValueError(`BatchSampler: dropLast must be true or false, got ${String(dropLast)}`);
    }
    if (!Number.isInteger(batchSize) || batchSize <= 0)
      throw new ValueError(`BatchSampler: batchSize must be a positive integer, got ${batchSize}`);
  }

  /** Batches per epoch. */
  get length(): number {
    return this.dropLast
      ? Math.floor(this.sampler.length / this.batchSize)
      : Math.ceil(this.sampler.length / this.batchSize);
  }

  /** Splits one epoch order into batches. */
  batchesOf(order: Int32Array): Int32Array[] {
    const batches: Int32Array[] = [];
    for (let b = 0; b < this.length; b++)
      batches.push(order.subarray(b * this.batchSize, Math.min((b + 1) * this.batchSize, order.length)));
    return batches;
  }

  /** One epoch of batches: the wrapped sampler's next order cut into `batchSize` pieces. */
  *[Symbol.iterator](): Iterator<Int32Array> {
    yield* this.batchesOf(this.sampler.order());
  }
}
