import { ValueError } from "@slope/core";
import { type Sampler, type SamplerState, samplerStateRng } from "./sampler.js";

/** 0, 1, …, n − 1 every epoch: evaluation order. */
export class SequentialSampler implements Sampler {
  /** Draws from rows 0..length − 1. */
  get populationSize(): number {
    return this.length;
  }

  constructor(readonly length: number) {
    if (!Number.isInteger(length) || length < 0)
      throw new ValueError(`SequentialSampler: n must be a non-negative integer, got ${length}`);
  }

  order(): Int32Array {
    return Int32Array.from({ length: this.length }, (_, i) => i);
  }

  /** The indices of the next epoch, one at a time (the same as iterating `order()`). */
  [Symbol.iterator](): Iterator<number> {
    return this.order()[Symbol.iterator]();
  }

  /** The state that `loadStateDict` restores: plain JSON, so the next epoch's order can be resumed exactly. */
  stateDict(): SamplerState {
    return { rng: null };
  }

  /** Checks that the state is `{ rng: null }` (there is nothing to restore). */
  loadStateDict(state: SamplerState): void {
    samplerStateRng("SequentialSampler.loadStateDict", state, false);
  }
}
