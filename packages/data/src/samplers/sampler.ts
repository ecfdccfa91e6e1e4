import { Rng, type RngState, ValueError } from "@slope/core";

/**
 * An order of sample indices, one epoch at a time: `order()` returns the next epoch's indices.
 * A sampler's state is what it needs to produce the same next epoch again.
 */
export interface Sampler extends Iterable<number> {
  /** Number of indices an epoch yields. */
  readonly length: number;
  /** The indices lie in [0, populationSize): the rows of the data set it samples (`length` when absent). */
  readonly populationSize?: number;
  /** The indices of the next epoch (advances the sampler's generator, if it has one). */
  order(): Int32Array;
  /** The generator's state as plain JSON (null for a sampler without randomness), for `loadStateDict`. */
  stateDict(): SamplerState;
  /** Restores a saved state; a bad one throws a named error before anything changes. */
  loadStateDict(state: SamplerState): void;
}

/** Plain-JSON state of a sampler: its generator's state, when it has one. */
export interface SamplerState {
  /** The generator's state (Rng.state()), or null for a sampler that draws nothing. */
  rng: RngState | null;
}

/**
 * Checks a sampler state `{ rng }` completely and returns the generator it describes (null for
 * `{ rng: null }` when `withRng` is false): the sampler then swaps it in, so a bad state changes nothing.
 */
export function samplerStateRng(where: string, state: unknown, withRng: boolean): Rng | null {
  if (typeof state !== "object" || state === null || Array.isArray(state)) {
    throw new ValueError(`${where}: expected a sampler state { rng }, got ${state === null ? "null" : typeof state}`);
  }
  for (const name of Object.keys(state)) {
    if (name !== "rng") throw new ValueError(`${where}: unknown entry ${JSON.stringify(name)} in the state`);
  }
  const rng = (state as { rng?: unknown }).rng;
  if (!withRng) {
    if (rng !== null && rng !== undefined) {
      throw new ValueError(`${where}: this sampler has no generator, the state has one`);
    }
    return null;
  }
  if (typeof rng !== "object" || rng === null) throw new ValueError(`${where}: the state has no rng`);
  try {
    return Rng.fromState(rng as RngState);
  } catch (error) {
    throw new ValueError(`${where}: a bad rng state: ${(error as Error).message}`);
  }
}
