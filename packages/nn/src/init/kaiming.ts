import type { Rng } from "@slope/core";
import { normal, uniform } from "./basic.js";
import { type FanMode, calculateFan } from "./fan.js";
import { type Nonlinearity, calculateGain } from "./gain.js";
import { type InitTarget, tensorOf } from "./target.js";

/** Options of the kaiming initializers, PyTorch's (`a` is the negative slope of a leaky ReLU after the layer). */
export interface KaimingOptions {
  /** The negative slope of the leaky ReLU after the layer, for its gain (0 by default: a plain ReLU). */
  a?: number;
  /** "fanIn" (the default) keeps the forward pass's variance, "fanOut" the backward's. */
  mode?: FanMode;
  /** The nonlinearity after the layer, whose gain scales the bound ("leaky_relu" by default). */
  nonlinearity?: Nonlinearity;
  /** The generator (default: nn's default generator). */
  rng?: Rng;
}

/**
 * He et al. (2015), in place: U(−b, b) with b = gain·√(3 / fan), gain = calculateGain(nonlinearity, a),
 * fan = fanIn or fanOut. Linear and Conv2d use a = √5, which gives b = 1/√fanIn. A tensor with a zero
 * dimension is left as it is. Returns `target`.
 */
export function kaimingUniform<T extends InitTarget>(target: T, options: KaimingOptions = {}): T {
  const t = tensorOf(target, "kaimingUniform");
  if (t.size === 0) return target;
  const { a = 0, mode = "fanIn", nonlinearity = "leaky_relu" } = options;
  const bound = calculateGain(nonlinearity, a) * Math.sqrt(3 / calculateFan(t.shape, mode));
  return uniform(target, { low: -bound, high: bound, rng: options.rng });
}

/** He et al. (2015), in place: N(0, std²) with std = gain / √fan. Returns `target`. */
export function kaimingNormal<T extends InitTarget>(target: T, options: KaimingOptions = {}): T {
  const t = tensorOf(target, "kaimingNormal");
  if (t.size === 0) return target;
  const { a = 0, mode = "fanIn", nonlinearity = "leaky_relu" } = options;
  const std = calculateGain(nonlinearity, a) / Math.sqrt(calculateFan(t.shape, mode));
  return normal(target, { mean: 0, std, rng: options.rng });
}
