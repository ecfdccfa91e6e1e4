import type { FloatArray } from "@slope/core";
import { type OptionSpec, Optimizer, type ParamGroup, type Parameter, type ParameterState } from "../optimizer.js";

/** Options of Momentum. */
export type MomentumOptions = { lr: number; momentum: number; dampening: number; weightDecay: number };

const specs: Record<keyof MomentumOptions, OptionSpec> = {
  lr: { range: "positive" },
  momentum: { default: 0.9, range: "unitInterval" },
  dampening: { default: 0, range: "unitInterval" },
  weightDecay: { default: 0, range: "nonNegative" },
};

/**
 * SGD with momentum, the lecture's form (velocity v starts at 0):
 *
 *     v = μ·v − (1 − dampening)·lr·dx
 *     x += v
 *
 * dampening = μ gives the slide's "(1 − μ)" form. Defaults: μ = 0.9, dampening 0. Unlike PyTorch
 * (v = μv + dx; x −= lr·v), lr is inside v: changing lr changes only future contributions.
 */
export class Momentum extends Optimizer<MomentumOptions> {
  constructor(params: readonly Parameter[] | readonly ParamGroup<MomentumOptions>[], options: Partial<MomentumOptions> = {}) {
    super("Momentum", specs, params, options);
  }

  protected update(x: FloatArray, dx: FloatArray, state: ParameterState, { lr, momentum, dampening, weightDecay }: MomentumOptions): void {
    const v = this.buffer(state, "velocity", x);
    const scale = (1 - dampening) * lr;
    for (let i = 0; i < x.length; i++) {
      const vi = momentum * v[i]! - scale * (dx[i]! + weightDecay * x[i]!);
      v[i] = vi;
      x[i] += vi;
    }
  }
}
