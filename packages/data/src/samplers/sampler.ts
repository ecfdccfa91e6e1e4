import type { RngState } from "@slope/core";

/**
 * An order of sample indices, one epoch at a time: `order()` returns the next epoch's indices.
 * A sampler's state is what it needs to produce the same next epoch again.
 */
export interface Sampler extends Iterable<number> {
  /** Number of indices an epoch yields. */
  readonly length: number;
  /** The indices of the next epoch (advances the sampler's generator, if it has one). */
  order(): Int32Array;
  stateDict(): SamplerState;
  loadStateDict(state: SamplerState): void;
}

/** Plain-JSON state of a sampler: its generator's state, when it has one. */
export interface SamplerState {
  rng: RngState | null;
}
