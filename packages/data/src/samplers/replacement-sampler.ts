import { type Rng, ValueError } from "@slope/core";
import { checkOptions } from "../options.js";
import { type Sampler, type SamplerState, samplerStateRng } from "./sampler.js";

/**
 * Indices drawn uniformly with replacement, `numSamples` (n by default) per epoch, like the
 * lecture's sample_training_data: an index may come twice in an epoch, or not at all.
 */
export class ReplacementSampler implements Sampler {
  readonly length: number;
  private rng: Rng;

  constructor(
    readonly populationSize: number,
    options: { rng: Rng; numSamples?: number },
  ) {
    checkOptions("ReplacementSampler", options, ["rng", "numSamples"]);
    const { rng, numSamples = populationSize } = options ?? {};
    if (!Number.isInteger(populationSize) || populationSize <= 0)
      throw new ValueError(`ReplacementSampler: n must be a positive integer, got ${populationSize}`);
    if (!Number.isInteger(numSamples) || numSamples < 0)
      throw new ValueError(`ReplacementSampler: numSamples must be a non-negative integer, got ${numSamples}`);
    if (!rng) throw new ValueError("ReplacementSampler: an rng is required");
    this.length = numSamples;
    this.rng = rng;
  }

  order(): Int32Array {
    const out = new Int32Array(this.length);
    for (let i = 0; i < out.length; i++) out[i] = this.rng.int(this.populationSize);
    return out;
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
    this.rng = samplerStateRng("ReplacementSampler.loadStateDict", state, true)!;
  }
}
