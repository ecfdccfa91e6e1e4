import type { FloatArray } from "@slope/core";
import {
  type OptionSpec,
  Optimizer,
  type ParamGroup,
  type Parameter,
  type ParameterState,
  maximizeSpec,
} from "../optimizer.js";

/** Options of Adamax. */
export type AdamaxOptions = {
  /** The learning rate (2e-3 by default). */
  lr: number;
  /** β1, the decay of the first moment m (0.9 by default). */
  beta1: number;
  /** β2, the decay of the infinity norm u = max(β2·u, |g| + ε) (0.999 by default). */
  beta2: number;
  /** ε, added to |g| so that u is never 0 (1e-8 by default). */
  eps: number;
  /** The L2 penalty λ: λ·x is added to the gradient, the gradient of (λ/2)·Σx² (0 by default). */
  weightDecay: number;
  /** Gradient ascent: step along +∇ instead of −∇ (off by default). */
  maximize: boolean;
};

const specs: Record<keyof AdamaxOptions, OptionSpec> = {
  lr: { default: 2e-3, range: "nonNegative" },
  beta1: { default: 0.9, range: "unitInterval" },
  beta2: { default: 0.999, range: "unitInterval" },
  eps: { default: 1e-8, range: "nonNegative" },
  weightDecay: { default: 0, range: "nonNegative" },
  maximize: maximizeSpec,
};

/**
 * Adamax (Kingma & Ba 2015, §7.1): Adam with the infinity norm in place of the root mean square:
 *
 *     m = β1·m + (1 − β1)·g
 *     u = max(β2·u, |g| + ε)
 *     x −= lr / (1 − β1ᵗ) · m / u
 *
 * g = ±dx + weightDecay·x (− when maximizing). Defaults (PyTorch's): lr 2e-3, β1 0.9, β2 0.999, ε 1e-8.
 */
export class Adamax extends Optimizer<AdamaxOptions> {
  constructor(
    params: readonly Parameter[] | readonly ParamGroup<AdamaxOptions>[],
    options: Partial<AdamaxOptions> = {},
  ) {
    super("Adamax", specs, params, options, { m: { always: true }, u: { always: true } });
  }

  protected update(x: FloatArray, dx: FloatArray, state: ParameterState, options: AdamaxOptions): void {
    const { lr, beta1, beta2, eps, weightDecay, maximize } = options;
    const sign = maximize ? -1 : 1;
    const m = this.buffer(state, "m", x);
    const u = this.buffer(state, "u", x);
    const step = lr / (1 - beta1 ** state.step);
    for (let i = 0; i < x.length; i++) {
      const g = sign * dx[i]! + weightDecay * x[i]!;
      const mi = beta1 * m[i]! + (1 - beta1) * g;
      const ui = Math.max(beta2 * u[i]!, Math.abs(g) + eps);
      m[i] = mi;
      u[i] = ui;
      x[i]! -= (step * mi) / ui;
    }
  }
}
