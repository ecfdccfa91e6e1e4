import type { FloatArray } from "@slope/core";
import {
  type OptionSpec,
  Optimizer,
  type ParamGroup,
  type Parameter,
  type ParameterState,
  maximizeSpec,
} from "../optimizer.js";

/** Options of Adadelta. */
export type AdadeltaOptions = {
  /** A factor on the step Δ, which already has the units of x (1 by default). */
  lr: number;
  /** ρ, how much of the running averages of g² and Δ² is kept each step (0.9 by default). */
  rho: number;
  /** ε, inside both roots (1e-6 by default). */
  eps: number;
  /** The L2 penalty λ: λ·x is added to the gradient, the gradient of (λ/2)·Σx² (0 by default). */
  weightDecay: number;
  /** Gradient ascent: step along +∇ instead of −∇ (off by default). */
  maximize: boolean;
};

const specs: Record<keyof AdadeltaOptions, OptionSpec> = {
  lr: { default: 1, range: "nonNegative" },
  rho: { default: 0.9, range: "unitInterval" },
  eps: { default: 1e-6, range: "nonNegative" },
  weightDecay: { default: 0, range: "nonNegative" },
  maximize: maximizeSpec,
};

/**
 * Adadelta (Zeiler 2012): RMSProp whose step is scaled by a running RMS of past steps, so it has
 * the units of x:
 *
 *     cache = ρ·cache + (1 − ρ)·g²
 *     Δ = √(acc + ε) / √(cache + ε) · g
 *     acc = ρ·acc + (1 − ρ)·Δ²
 *     x −= lr · Δ
 *
 * g = ±dx + weightDecay·x (− when maximizing). Defaults (PyTorch's): lr 1, ρ 0.9, ε 1e-6 (inside the roots).
 */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  constructor(
    params: readonly Parameter[] | readonly ParamGroup<AdadeltaOptions>[],
    options: Partial<AdadeltaOptions> = {},
  ) {
    super("Adadelta", specs, params, options, { cache: { always: true }, accumulatedStep: { always: true } });
  }

  protected update(
    x: FloatArray,
    dx: FloatArray,
    state: ParameterState,
    { lr, rho, eps, weightDecay, maximize }: AdadeltaOptions,
  ): void {
    const sign = maximize ? -1 : 1;
    const cache = this.buffer(state, "cache", x);
    const acc = this.buffer(state, "accumulatedStep", x);
    for (let i = 0; i < x.length; i++) {
      const g = sign * dx[i]! + weightDecay * x[i]!;
      const c = rho * cache[i]! + (1 - rho) * g * g;
      cache[i] = c;
      const delta = (Math.sqrt(acc[i]! + eps) / Math.sqrt(c + eps)) * g;
      acc[i] = rho * acc[i]! + (1 - rho) * delta * delta;
      x[i]! -= lr * delta;
    }
  }
}
