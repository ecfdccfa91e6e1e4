import { type Rng, ValueError } from "@slope/core";
import { checkOptions } from "../options.js";
import { type Sampler, type SamplerState, samplerStateRng } from "./sampler.js";

/** A fresh seeded permutation of 0..n − 1 every epoch: each index exactly once (sampling without replacement). */
export class RandomSampler implements Sampler {
  private rng: Rng;
  /** Draws from rows 0..length − 1. */
  get populationSize(): number {
    return this.length;
  }

  constructor(
    readonly length: number,
    options: { rng: Rng },
  ) {
    checkOptions("RandomSampler", options, ["rng"]);
    const { rng } = options ?? {};
    if (!Number.isInteger(length) || length < 0)
      throw new ValueError(`RandomSampler: n must be a non-negative integer, got ${length}`);
    if (!rng) throw new ValueError("RandomSampler: an rng is required: new RandomSampler(n, { rng: new Rng(seed) })");
    this.rng = rng;
  }

  order(): Int32Array {
    return this.rng.permutation(this.length);
  }

  /** The indices of the next epoch, one at a time (the same as iterating `order()`). */
  [Symbol.iterator](): Iterator<number> {
    return this.order()[Symbol.iterator]();
  }

  /** The state that `loadStateDict` restores: plain JSON, so the next epoch's order can be resumed exactly. */
  stateDict(): SamplerState {
    return { rng: this.rng.state() };
  }

  loadStateDict(state: SamplerState): void {
    this.rng = samplerStateRng("RandomSampler.loadStateDict", state, true)!;
  }
}
