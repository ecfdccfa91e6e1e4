import type { FloatArray } from "@slope/core";
import { type OptionSpec, Optimizer, type ParamGroup, type Parameter, type ParameterState } from "../optimizer.js";

/** Options of Nesterov. */
export type NesterovOptions = { lr: number; momentum: number; weightDecay: number };

const specs: Record<keyof NesterovOptions, OptionSpec> = {
  lr: { range: "positive" },
  momentum: { default: 0.9, range: "unitInterval" },
  weightDecay: { default: 0, range: "nonNegative" },
};

/**
 * Nesterov momentum in the lecture's transformed form, where the gradient is taken at x itself
 * (x stands for the look-ahead point φ = x_true + μv):
 *
 *     v_prev = v
 *     v = μ·v − lr·dx
 *     x += −μ·v_prev + (1 + μ)·v
 *
 * Defaults: μ = 0.9.
 */
export class Nesterov extends Optimizer<NesterovOptions> {
  constructor(params: readonly Parameter[] | readonly ParamGroup<NesterovOptions>[], options: Partial<NesterovOptions> = {}) {
    super("Nesterov", specs, params, options);
  }

  protected update(x: FloatArray, dx: FloatArray, state: ParameterState, { lr, momentum, weightDecay }: NesterovOptions): void {
    const v = this.buffer(state, "velocity", x);
    for (let i = 0; i < x.length; i++) {
      const previous = v[i]!;
      const vi = momentum * previous - lr * (dx[i]! + weightDecay * x[i]!);
      v[i] = vi;
      x[i] += -momentum * previous + (1 + momentum) * vi;
    }
  }
}
