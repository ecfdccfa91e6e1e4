import type { FloatArray } from "@slope/core";
import { type OptionSpec, Optimizer, type ParamGroup, type Parameter, type ParameterState } from "../optimizer.js";

/** Options of RMSProp. */
export type RMSPropOptions = { lr: number; decayRate: number; eps: number; weightDecay: number };

const specs: Record<keyof RMSPropOptions, OptionSpec> = {
  lr: { range: "positive" },
  decayRate: { default: 0.99, range: "unitInterval" },
  eps: { default: 1e-8, range: "nonNegative" },
  weightDecay: { default: 0, range: "nonNegative" },
};

/**
 * RMSProp (Tieleman & Hinton 2012), the lecture's form (cache starts at 0):
 *
 *     cache = ρ·cache + (1 − ρ)·dx²
 *     x −= lr · dx / (√cache + ε)
 *
 * A leaky AdaGrad: the step does not decay to zero. Defaults: ρ (decayRate) = 0.99, ε = 1e-8.
 */
export class RMSProp extends Optimizer<RMSPropOptions> {
  constructor(params: readonly Parameter[] | readonly ParamGroup<RMSPropOptions>[], options: Partial<RMSPropOptions> = {}) {
    super("RMSProp", specs, params, options);
  }

  protected update(x: FloatArray, dx: FloatArray, state: ParameterState, { lr, decayRate, eps, weightDecay }: RMSPropOptions): void {
    const cache = this.buffer(state, "cache", x);
    for (let i = 0; i < x.length; i++) {
      const g = dx[i]! + weightDecay * x[i]!;
      const c = decayRate * cache[i]! + (1 - decayRate) * g * g;
      cache[i] = c;
      x[i] -= (lr * g) / (Math.sqrt(c) + eps);
    }
  }
}
