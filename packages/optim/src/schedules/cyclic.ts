import type { Schedule } from "./decay.js";
import { checkChoice, checkFinite } from "./check-options.js";

/** How a cyclic schedule's amplitude changes (PyTorch's CyclicLR modes). */
export type CyclicMode = "triangular" | "triangular2" | "exp_range";

/** Options of `cyclic` (PyTorch's CyclicLR: base_lr, max_lr, step_size_up, step_size_down, mode, gamma). */
export interface CyclicOptions {
  /** The bottom of each cycle, and the value at t = 0 (PyTorch's base_lr). */
  lrMin: number;
  /** The top of the first cycle (PyTorch's max_lr). */
  lrMax: number;
  /** Steps from bottom to top (PyTorch's step_size_up). Default 2000. */
  stepsUp?: number;
  /** Steps from top back to bottom (PyTorch's step_size_down). Default stepsUp. */
  stepsDown?: number;
  /** "triangular" (every cycle the same), "triangular2" (amplitude halved each cycle), "exp_range" (× gamma^t).
   * Default "triangular". */
  mode?: CyclicMode;
  /** exp_range's decay per step: the amplitude is multiplied by gamma^t. Default 1. */
  gamma?: number;
}

const modes: readonly CyclicMode[] = ["triangular", "triangular2", "exp_range"];

/**
 * Cyclical learning rates (Smith 2017; PyTorch's CyclicLR, stepped once per batch). With L = stepsUp + stepsDown:
 *
 *     cycle = ⌊1 + t/L⌋,   x = 1 + t/L − cycle                         (the position in the cycle, in [0, 1))
 *     s = x / r if x ≤ r, else (x − 1)/(r − 1)          (r = stepsUp / L: s rises 0 → 1, then falls 1 → 0)
 *     lr(t) = lrMin + (lrMax − lrMin) · s · a
 *     a = 1 (triangular) | 1/2^(cycle−1) (triangular2) | gamma^t (exp_range)
 *
 * PyTorch also cycles momentum inversely (cycle_momentum): a second `Scheduler` on "momentum" does the same, with
 * `cyclic({ lrMin: maxMomentum, lrMax: baseMomentum, ... })` (the amplitude is then negative).
 */
export function cyclic(options: CyclicOptions): Schedule {
  const { lrMin, lrMax, stepsUp = 2000, mode = "triangular", gamma = 1 } = options;
  const stepsDown = options.stepsDown ?? stepsUp;
  checkFinite("cyclic", { lrMin, lrMax, stepsUp, stepsDown, gamma }, ["stepsUp", "stepsDown", "gamma"]);
  checkChoice("cyclic", "mode", mode, modes);
  const total = stepsUp + stepsDown;
  const ratio = stepsUp / total;
  const amplitude: (cycle: number, t: number) => number =
    mode === "triangular" ? () => 1 : mode === "triangular2" ? (cycle) => 1 / 2 ** (cycle - 1) : (_, t) => gamma ** t;
  return (t) => {
    const cycle = Math.floor(1 + t / total);
    const x = 1 + t / total - cycle;
    const s = x <= ratio ? x / ratio : (x - 1) / (ratio - 1);
    return lrMin + (lrMax - lrMin) * s * amplitude(cycle, t);
  };
}
