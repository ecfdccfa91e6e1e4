import { ValueError } from "@slope/core";
import type { Schedule } from "./decay.js";
import { checkChoice, checkFinite, checkInteger } from "./check-options.js";

/** Options of `oneCycle` (PyTorch's OneCycleLR: max_lr, total_steps, pct_start, div_factor, final_div_factor, ...). */
export interface OneCycleOptions {
  /** The peak (PyTorch's max_lr). */
  lrMax: number;
  /** The length of the cycle, in steps (PyTorch's total_steps); t may reach `steps`, not beyond. */
  steps: number;
  /** The fraction of the steps spent rising. Default 0.3. */
  pctStart?: number;
  /** The start is lrMax / divFactor. Default 25. */
  divFactor?: number;
  /** The end is lrMax / divFactor / finalDivFactor. Default 1e4. */
  finalDivFactor?: number;
  /** "cos" or "linear" interpolation within each phase (PyTorch's anneal_strategy). Default "cos". */
  anneal?: "cos" | "linear";
  /** The paper's three phases (up, back down to the start, then to the end) instead of fastai's two. Default false. */
  threePhase?: boolean;
}

/** A phase: from `from` at step `start` to `to` at step `end` (PyTorch's _schedule_phases). */
interface Phase {
  start: number;
  end: number;
  from: number;
  to: number;
}

/**
 * The 1cycle policy (Smith & Topin; PyTorch's OneCycleLR, stepped once per batch). With lr₀ = lrMax/divFactor
 * and lrEnd = lr₀/finalDivFactor, the value goes lr₀ → lrMax over steps [0, pctStart·steps − 1], then
 * lrMax → lrEnd up to step steps − 1 (threePhase: lr₀ → lrMax → lr₀ → lrEnd, the first two symmetric).
 * Within a phase from a to b at the fraction p of it:
 *
 *     cos:    b + (a − b)/2 · (cos(π·p) + 1)
 *     linear: (b − a)·p + a
 *
 * As PyTorch, t = steps is allowed (one step past the end: the last phase extrapolated, below lrEnd) and
 * t > steps is a ValueError ("Tried to step N times").
 */
export function oneCycle(options: OneCycleOptions): Schedule {
  const { lrMax, steps, pctStart = 0.3, divFactor = 25, finalDivFactor = 1e4 } = options;
  const { anneal = "cos", threePhase = false } = options;
  checkFinite("oneCycle", { lrMax, pctStart, divFactor, finalDivFactor }, ["lrMax", "divFactor", "finalDivFactor"]);
  checkInteger("oneCycle", "steps", steps, 1);
  if (!(pctStart >= 0 && pctStart <= 1)) throw new ValueError(`oneCycle: pctStart must be in [0, 1], got ${pctStart}`);
  checkChoice("oneCycle", "anneal", anneal, ["cos", "linear"]);
  if (typeof threePhase !== "boolean") {
    throw new ValueError(`oneCycle: threePhase must be true or false, got ${String(threePhase)}`);
  }
  const lrStart = lrMax / divFactor;
  const lrEnd = lrStart / finalDivFactor;
  const upEnd = pctStart * steps - 1;
  const phases: Phase[] = threePhase
    ? [
        { start: 0, end: upEnd, from: lrStart, to: lrMax },
        { start: upEnd, end: 2 * pctStart * steps - 2, from: lrMax, to: lrStart },
        { start: 2 * pctStart * steps - 2, end: steps - 1, from: lrStart, to: lrEnd },
      ]
    : [
        { start: 0, end: upEnd, from: lrStart, to: lrMax },
        { start: upEnd, end: steps - 1, from: lrMax, to: lrEnd },
      ];
  phases.forEach((phase, i) => {
    // PyTorch divides by the phase's length: a phase of none is its ZeroDivisionError, refused here up front.
    if (phase.end === phase.start) {
      const which = `phase ${i + 1} of ${phases.length}`;
      throw new ValueError(`oneCycle: ${which} has no steps (pctStart ${pctStart}, steps ${steps})`);
    }
  });
  const interpolate =
    anneal === "cos"
      ? (a: number, b: number, p: number) => b + ((a - b) / 2) * (Math.cos(Math.PI * p) + 1)
      : (a: number, b: number, p: number) => (b - a) * p + a;
  return (t) => {
    if (t > steps) throw new ValueError(`oneCycle: t = ${t} is past the cycle's ${steps} steps`);
    const last = phases.length - 1;
    const phase = phases.find((p, i) => t <= p.end || i === last)!;
    return interpolate(phase.from, phase.to, (t - phase.start) / (phase.end - phase.start));
  };
}
