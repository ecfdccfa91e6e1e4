import { type Rng, ValueError, rand, randn } from "@slope/core";
import { defaultRng } from "../random.js";
import { type InitTarget, tensorOf } from "./target.js";

/** Fills `target` in place with draws from U(low, high) (default U(0, 1)); returns it. */
export function uniform<T extends InitTarget>(target: T, options: { low?: number; high?: number; rng?: Rng } = {}): T {
  const t = tensorOf(target, "uniform");
  const { low = 0, high = 1, rng = defaultRng() } = options;
  if (!(low <= high)) throw new ValueError(`uniform: expected low ≤ high, got low = ${low}, high = ${high}`);
  t.data.set(rand(t.shape, { rng, low, high, dtype: t.dtype }).data);
  return target;
}

/** Fills `target` in place with draws from N(mean, std²) (default N(0, 1)); returns it. */
export function normal<T extends InitTarget>(target: T, options: { mean?: number; std?: number; rng?: Rng } = {}): T {
  const t = tensorOf(target, "normal");
  const { mean = 0, std = 1, rng = defaultRng() } = options;
  if (!(std >= 0)) throw new ValueError(`normal: expected std ≥ 0, got ${std}`);
  t.data.set(randn(t.shape, { rng, mean, std, dtype: t.dtype }).data);
  return target;
}

/** Fills `target` in place with `value`; returns it. */
export function constant<T extends InitTarget>(target: T, value: number): T {
  tensorOf(target, "constant").data.fill(value);
  return target;
}

/** Fills `target` in place with zeros; returns it. */
export function zeros<T extends InitTarget>(target: T): T {
  return constant(target, 0);
}

/** Fills `target` in place with ones; returns it. */
export function ones<T extends InitTarget>(target: T): T {
  return constant(target, 1);
}
