import { Rng } from "@slope/core";

/**
 * nn's default generator, as PyTorch's global one: every random initialisation and dropout mask
 * that is not given an `rng` option draws from it. The rule: an explicit `rng` always wins; without
 * one, layers draw from `defaultRng()`, which starts from seed 0 when the module is loaded and
 * restarts from `seed` on `manualSeed(seed)`. So a model built after `manualSeed(s)` has the same
 * bits every time.
 */
let generator = new Rng(0);

/** Restarts the default generator from `seed`; returns it. */
export function manualSeed(seed: string | number): Rng {
  generator = new Rng(seed);
  return generator;
}

/** The default generator (the one `manualSeed` last reset). */
export function defaultRng(): Rng {
  return generator;
}
