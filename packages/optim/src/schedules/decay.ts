import { ValueError } from "@slope/core";
import { checkFinite as check } from "./check-options.js";

/** A schedule: the value of a hyperparameter (usually the learning rate) at step or epoch t = 0, 1, 2, … */
export type Schedule = (t: number) => number;

/** Step decay: lr0 · factor^⌊t / every⌋ (e.g. halve every 5 epochs). */
export function stepDecay({ lr0, factor, every }: { lr0: number; factor: number; every: number }): Schedule {
  check("stepDecay", { lr0, factor, every }, ["lr0", "factor", "every"]);
  return (t) => lr0 * factor ** Math.floor(t / every);
}

/** Exponential decay: α₀ · e^(−k·t). */
export function exponentialDecay({ lr0, k }: { lr0: number; k: number }): Schedule {
  check("exponentialDecay", { lr0, k }, ["lr0"]);
  return (t) => lr0 * Math.exp(-k * t);
}

/** 1/t decay: α₀ / (1 + k·t). */
export function inverseTimeDecay({ lr0, k }: { lr0: number; k: number }): Schedule {
  check("inverseTimeDecay", { lr0, k }, ["lr0"]);
  return (t) => lr0 / (1 + k * t);
}

/** Cosine annealing (Loshchilov & Hutter): lrMin + ½(lr0 − lrMin)(1 + cos(π·min(t, steps)/steps)). */
export function cosineDecay({ lr0, steps, lrMin = 0 }: { lr0: number; steps: number; lrMin?: number }): Schedule {
  check("cosineDecay", { lr0, steps, lrMin }, ["lr0", "steps"]);
  return (t) => lrMin + 0.5 * (lr0 - lrMin) * (1 + Math.cos((Math.PI * Math.min(t, steps)) / steps));
}

/** A constant value. */
export function constantSchedule(value: number): Schedule {
  check("constantSchedule", { value });
  return () => value;
}

/**
 * A straight line from `start` at t = 0 to `end` at t = steps, then `end` (the slide anneals momentum 0.5 → 0.99
 * this way).
 */
export function linearSchedule({ start, end, steps }: { start: number; end: number; steps: number }): Schedule {
  check("linearSchedule", { start, end, steps }, ["steps"]);
  return (t) => start + ((end - start) * Math.min(t, steps)) / steps;
}

/**
 * Linear warmup, then another schedule: for t < steps the value rises linearly to then(0)
 * (reaching (t+1)/steps of it), and from t = steps on it is then(t − steps).
 */
export function warmup({ steps, then }: { steps: number; then: Schedule }): Schedule {
  check("warmup", { steps }, ["steps"]);
  if (typeof then !== "function") throw new ValueError("warmup: `then` must be a schedule (t => value)");
  return (t) => (t < steps ? (then(0) * (t + 1)) / steps : then(t - steps));
}
