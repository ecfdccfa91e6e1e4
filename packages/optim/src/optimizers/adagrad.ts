import type { FloatArray } from "@slope/core";
import { type OptionSpec, Optimizer, type ParamGroup, type Parameter, type ParameterState } from "../optimizer.js";

/** Options of AdaGrad. */
export type AdaGradOptions = { lr: number; eps: number; weightDecay: number };

const specs: Record<keyof AdaGradOptions, OptionSpec> = {
  lr: { range: "positive" },
  eps: { default: 1e-7, range: "nonNegative" },
  weightDecay: { default: 0, range: "nonNegative" },
};

/**
 * AdaGrad (Duchi et al. 2011), the lecture's form (cache starts at 0):
 *
 *     cache += dx²
 *     x −= lr · dx / (√cache + ε)
 *
 * The per-coordinate step shrinks as squared gradients pile up. Defaults: ε = 1e-7 (outside the root).
 */
export class AdaGrad extends Optimizer<AdaGradOptions> {
  constructor(params: readonly Parameter[] | readonly ParamGroup<AdaGradOptions>[], options: Partial<AdaGradOptions> = {}) {
    super("AdaGrad", specs, params, options);
  }

  protected update(x: FloatArray, dx: FloatArray, state: ParameterState, { lr, eps, weightDecay }: AdaGradOptions): void {
    const cache = this.buffer(state, "cache", x);
    for (let i = 0; i < x.length; i++) {
      const g = dx[i]! + weightDecay * x[i]!;
      const c = cache[i]! + g * g;
      cache[i] = c;
      x[i] -= (lr * g) / (Math.sqrt(c) + eps);
    }
  }
}
