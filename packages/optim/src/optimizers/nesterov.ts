import type { FloatArray } from "@slope/core";
import {
  type OptionSpec,
  Optimizer,
  type ParamGroup,
  type Parameter,
  type ParameterState,
  maximizeSpec,
} from "../optimizer.js";

/** Options of Nesterov. */
export type NesterovOptions = {
  /** The learning rate (required). */
  lr: number;
  /** μ, the fraction of the velocity kept from step to step, in [0, 1) (0.9 by default). */
  momentum: number;
  /** The L2 penalty λ: λ·x is added to the gradient, the gradient of (λ/2)·Σx² (0 by default). */
  weightDecay: number;
  /** Gradient ascent: step along +∇ instead of −∇ (off by default). */
  maximize: boolean;
};

const specs: Record<keyof NesterovOptions, OptionSpec> = {
  lr: { range: "nonNegative" },
  momentum: { default: 0.9, range: "unitInterval" },
  weightDecay: { default: 0, range: "nonNegative" },
  maximize: maximizeSpec,
};

/**
 * Nesterov momentum in the lecture's transformed form, where the gradient is taken at x itself
 * (x stands for the look-ahead point φ = x_true + μv; g = ±dx + weightDecay·x, − when maximizing):
 *
 *     v_prev = v
 *     v = μ·v − lr·g
 *     x += −μ·v_prev + (1 + μ)·v
 *
 * PyTorch's SGD(momentum=μ, nesterov=True), b = μ·b + g; x −= lr·(g + μ·b), gives the same iterates
 * for a constant lr (v = −lr·b). Defaults: μ = 0.9, maximize off.
 */
export class Nesterov extends Optimizer<NesterovOptions> {
  constructor(
    params: readonly Parameter[] | readonly ParamGroup<NesterovOptions>[],
    options: Partial<NesterovOptions> = {},
  ) {
    super("Nesterov", specs, params, options, { velocity: { always: true } });
  }

  protected update(x: FloatArray, dx: FloatArray, state: ParameterState, options: NesterovOptions): void {
    const { lr, momentum, weightDecay, maximize } = options;
    const v = this.buffer(state, "velocity", x);
    const sign = maximize ? -1 : 1;
    for (let i = 0; i < x.length; i++) {
      const previous = v[i]!;
      const vi = momentum * previous - lr * (sign * dx[i]! + weightDecay * x[i]!);
      v[i] = vi;
      x[i]! += -momentum * previous + (1 + momentum) * vi;
    }
  }
}
