import { ValueError } from "@slope/core";
import type { Sampler, SamplerState } from "./sampler.js";

/** 0, 1, …, n − 1 every epoch: evaluation order. */
export class SequentialSampler implements Sampler {
  constructor(readonly length: number) {
    if (!Number.isInteger(length) || length < 0) throw new ValueError(`SequentialSampler: n must be a non-negative integer, got ${length}`);
  }

  order(): Int32Array {
    return Int32Array.from({ length: this.length }, (_, i) => i);
  }

  [Symbol.iterator](): Iterator<number> {
    return this.order()[Symbol.iterator]();
  }

  stateDict(): SamplerState {
    return { rng: null };
  }

  loadStateDict(): void {}
}
