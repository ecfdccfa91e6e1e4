import type { FloatArray } from "@slope/core";
import {
  type OptionSpec,
  Optimizer,
  type ParamGroup,
  type Parameter,
  type ParameterState,
  maximizeSpec,
} from "../optimizer.js";

/** Options of RAdam. */
export type RAdamOptions = {
  /** The learning rate (1e-3 by default). */
  lr: number;
  /** β1, the decay of the first moment m (0.9 by default). */
  beta1: number;
  /** β2, the decay of the second moment v (0.999 by default). */
  beta2: number;
  /** ε, added to √v so that the division never blows up (1e-8 by default). */
  eps: number;
  /** The L2 penalty λ: λ·x is added to the gradient, the gradient of (λ/2)·Σx² (0 by default). */
  weightDecay: number;
  /** Gradient ascent: step along +∇ instead of −∇ (off by default). */
  maximize: boolean;
};

const specs: Record<keyof RAdamOptions, OptionSpec> = {
  lr: { default: 1e-3, range: "nonNegative" },
  beta1: { default: 0.9, range: "unitInterval" },
  beta2: { default: 0.999, range: "unitInterval" },
  eps: { default: 1e-8, range: "nonNegative" },
  weightDecay: { default: 0, range: "nonNegative" },
  maximize: maximizeSpec,
};

/**
 * RAdam (Liu et al. 2020), rectified Adam, as PyTorch's torch.optim.RAdam (t from 1; g = ±dx + weightDecay·x,
 * − when maximizing): while the variance of the adaptive step is not yet defined (ρₜ ≤ 5) it is plain momentum
 * SGD; after, Adam scaled by a rectification r that rises towards 1.
 *
 *     m = β1·m + (1 − β1)·g,  v = β2·v + (1 − β2)·g²,  m̂ = m/(1 − β1ᵗ)
 *     ρ∞ = 2/(1 − β2) − 1,  ρₜ = ρ∞ − 2t·β2ᵗ/(1 − β2ᵗ)
 *     ρₜ > 5:  r = √((ρₜ − 4)(ρₜ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρₜ));  x −= lr·m̂·r·√(1 − β2ᵗ)/(√v + ε)
 *     else:    x −= lr·m̂
 *
 * Defaults (PyTorch's): lr 1e-3, β1 0.9, β2 0.999, ε 1e-8. (PyTorch 1.13's RAdam has no maximize;
 * Slope's is its rule applied to −dx.)
 */
export class RAdam extends Optimizer<RAdamOptions> {
  constructor(params: readonly Parameter[] | readonly ParamGroup<RAdamOptions>[], options: Partial<RAdamOptions> = {}) {
    super("RAdam", specs, params, options, { m: { always: true }, v: { always: true } });
  }

  protected update(x: FloatArray, dx: FloatArray, state: ParameterState, options: RAdamOptions): void {
    const { lr, beta1, beta2, eps, weightDecay, maximize } = options;
    const m = this.buffer(state, "m", x);
    const v = this.buffer(state, "v", x);
    const t = state.step;
    const sign = maximize ? -1 : 1;
    const c1 = 1 - beta1 ** t;
    const c2 = 1 - beta2 ** t;
    const rhoInf = 2 / (1 - beta2) - 1;
    const rhoT = rhoInf - (2 * t * beta2 ** t) / c2;
    const rectified = rhoT > 5;
    const r = rectified ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 1;
    const sqrtC2 = Math.sqrt(c2);
    for (let i = 0; i < x.length; i++) {
      const g = sign * dx[i]! + weightDecay * x[i]!;
      const mi = beta1 * m[i]! + (1 - beta1) * g;
      const vi = beta2 * v[i]! + (1 - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      const mHat = mi / c1;
      x[i]! -= rectified ? mHat * lr * (sqrtC2 / (Math.sqrt(vi) + eps)) * r : mHat * lr;
    }
  }
}
