import type { Schedule } from "./decay.js";
import { checkFinite, checkInteger } from "./check-options.js";

/** Options of `polynomialDecay` (PyTorch's PolynomialLR: total_iters, power; TensorFlow's end_learning_rate). */
export interface PolynomialDecayOptions {
  /** The value at t = 0 (PyTorch: the group's lr). */
  lr0: number;
  /** The steps over which it decays to lrEnd (PyTorch's total_iters). Default 5, as PyTorch's. */
  steps?: number;
  /** The power of the polynomial. Default 1 (a straight line). */
  power?: number;
  /** The value from t = steps on (TensorFlow's end_learning_rate; PyTorch has none: 0). Default 0. */
  lrEnd?: number;
}

/**
 * Polynomial decay from lr0 to lrEnd over `steps` (PyTorch's PolynomialLR closed form when lrEnd = 0, TensorFlow's
 * PolynomialDecay without cycling otherwise):
 *
 *     lr(t) = (lr0 − lrEnd) · (1 − min(t, steps) / steps)^power + lrEnd
 */
export function polynomialDecay({ lr0, steps = 5, power = 1, lrEnd = 0 }: PolynomialDecayOptions): Schedule {
  checkFinite("polynomialDecay", { lr0, power, lrEnd }, ["lr0", "power"]);
  checkInteger("polynomialDecay", "steps", steps, 1);
  return (t) => (lr0 - lrEnd) * (1 - Math.min(steps, t) / steps) ** power + lrEnd;
}
