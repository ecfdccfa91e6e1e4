import { Rng, ValueError } from "@slope/core";
import type { Sampler, SamplerState } from "./sampler.js";

/** A fresh seeded permutation of 0..n − 1 every epoch: each index exactly once (sampling without replacement). */
export class RandomSampler implements Sampler {
  private rng: Rng;

  constructor(readonly length: number, { rng }: { rng: Rng }) {
    if (!Number.isInteger(length) || length < 0) throw new ValueError(`RandomSampler: n must be a non-negative integer, got ${length}`);
    if (!rng) throw new ValueError("RandomSampler: an rng is required: new RandomSampler(n, { rng: new Rng(seed) })");
    this.rng = rng;
  }

  order(): Int32Array {
    return this.rng.permutation(this.length);
  }

  [Symbol.iterator](): Iterator<number> {
    return this.order()[Symbol.iterator]();
  }

  stateDict(): SamplerState {
    return { rng: this.rng.state() };
  }

  loadStateDict(state: SamplerState): void {
    if (!state?.rng) throw new ValueError("RandomSampler.loadStateDict: the state has no rng");
    this.rng = Rng.fromState(state.rng);
  }
}
