import type { Rng } from "@slope/core";
import { normal, uniform } from "./basic.js";
import { calculateFanInAndFanOut } from "./fan.js";
import { type InitTarget, tensorOf } from "./target.js";

/**
 * Glorot & Bengio (2010), in place: U(−a, a) with a = gain·√(6 / (fanIn + fanOut)), so that
 * the variance gain²·2 / (fanIn + fanOut) is kept both forward and backward. Returns `target`.
 */
export function xavierUniform<T extends InitTarget>(target: T, options: { gain?: number; rng?: Rng } = {}): T {
  const { fanIn, fanOut } = calculateFanInAndFanOut(tensorOf(target, "xavierUniform").shape);
  const bound = (options.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(target, { low: -bound, high: bound, rng: options.rng });
}

/** Glorot & Bengio (2010), in place: N(0, std²) with std = gain·√(2 / (fanIn + fanOut)). Returns `target`. */
export function xavierNormal<T extends InitTarget>(target: T, options: { gain?: number; rng?: Rng } = {}): T {
  const { fanIn, fanOut } = calculateFanInAndFanOut(tensorOf(target, "xavierNormal").shape);
  const std = (options.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut));
  return normal(target, { mean: 0, std, rng: options.rng });
}
