import type { Schedule } from "./decay.js";
import { checkFinite, checkInteger } from "./check-options.js";
import { ValueError } from "@slope/core";

/** Options of `multiStepDecay` (PyTorch's MultiStepLR: milestones, gamma). */
export interface MultiStepDecayOptions {
  /** The value at t = 0 (PyTorch: the group's lr). */
  lr0: number;
  /** The steps (or epochs) at which the value is multiplied by `factor`; a milestone listed twice decays twice. */
  milestones: readonly number[];
  /** The multiplier at each milestone (PyTorch's gamma). Default 0.1. */
  factor?: number;
}

/**
 * Multi-step decay (PyTorch's MultiStepLR, its closed form):
 *
 *     lr(t) = lr0 · factor^k,   k = the number of milestones m with m ≤ t
 *
 * e.g. `multiStepDecay({ lr0: 0.05, milestones: [30, 80] })`: 0.05 for t < 30, 0.005 for 30 ≤ t < 80, then 0.0005.
 */
export function multiStepDecay({ lr0, milestones, factor = 0.1 }: MultiStepDecayOptions): Schedule {
  checkFinite("multiStepDecay", { lr0, factor }, ["lr0", "factor"]);
  if (!Array.isArray(milestones)) {
    throw new ValueError(`multiStepDecay: milestones must be an array of steps, got ${String(milestones)}`);
  }
  milestones.forEach((m, i) => {
    checkInteger("multiStepDecay", `milestones[${i}]`, m, 0);
  });
  const sorted = [...milestones].sort((a, b) => a - b);
  return (t) => lr0 * factor ** passed(sorted, t);
}

/** How many of the sorted milestones are ≤ t (Python's bisect_right); NaN for NaN. */
function passed(sorted: readonly number[], t: number): number {
  if (Number.isNaN(t)) return NaN;
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (t < sorted[mid]!) high = mid;
    else low = mid + 1;
  }
  return low;
}
