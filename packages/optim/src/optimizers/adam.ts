import type { FloatArray } from "@slope/core";
import { type OptionSpec, Optimizer, type ParamGroup, type Parameter, type ParameterState } from "../optimizer.js";

/** Options of Adam. */
export type AdamOptions = {
  lr: number; beta1: number; beta2: number; eps: number; biasCorrection: boolean; amsgrad: boolean; weightDecay: number;
};

/** Adam's option specs, shared with AdamW. */
export const adamSpecs: Record<keyof AdamOptions, OptionSpec> = {
  lr: { default: 1e-3, range: "positive" },
  beta1: { default: 0.9, range: "unitInterval" },
  beta2: { default: 0.999, range: "unitInterval" },
  eps: { default: 1e-8, range: "nonNegative" },
  biasCorrection: { default: true, range: "boolean" },
  amsgrad: { default: false, range: "boolean" },
  weightDecay: { default: 0, range: "nonNegative" },
};

/**
 * One Adam update of x in place (t is this parameter's step count, from 1):
 *
 *     m = β1·m + (1 − β1)·dx
 *     v = β2·v + (1 − β2)·dx²
 *     m̂ = m / (1 − β1ᵗ),  v̂ = v / (1 − β2ᵗ)          (biasCorrection; else m̂ = m, v̂ = v)
 *     x −= lr · m̂ / (√v̂ + ε)
 *
 * With amsgrad, v̂ is the running maximum of v̂ (Reddi et al. 2018).
 */
export function adamUpdate(
  x: FloatArray, dx: FloatArray, m: FloatArray, v: FloatArray, vMax: FloatArray | null, t: number,
  { lr, beta1, beta2, eps, biasCorrection, weightDecay }: AdamOptions,
): void {
  const c1 = biasCorrection ? 1 - Math.pow(beta1, t) : 1;
  const c2 = biasCorrection ? 1 - Math.pow(beta2, t) : 1;
  for (let i = 0; i < x.length; i++) {
    const g = dx[i]! + weightDecay * x[i]!;
    const mi = beta1 * m[i]! + (1 - beta1) * g;
    const vi = beta2 * v[i]! + (1 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    let vHat = vi / c2;
    if (vMax) {
      if (vHat < vMax[i]!) vHat = vMax[i]!;
      vMax[i] = vHat;
    }
    x[i] -= (lr * (mi / c1)) / (Math.sqrt(vHat) + eps);
  }
}

/**
 * Adam (Kingma & Ba 2015): momentum on the gradient plus RMSProp's per-coordinate scale, with bias
 * correction so the first steps are not too small. `biasCorrection: false` is the lecture's
 * "incomplete" Adam. Defaults: lr 1e-3, β1 0.9, β2 0.999, ε 1e-8 (outside the root).
 */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: readonly Parameter[] | readonly ParamGroup<AdamOptions>[], options: Partial<AdamOptions> = {}) {
    super("Adam", adamSpecs, params, options);
  }

  protected update(x: FloatArray, dx: FloatArray, state: ParameterState, options: AdamOptions): void {
    const m = this.buffer(state, "m", x);
    const v = this.buffer(state, "v", x);
    const vMax = options.amsgrad ? this.buffer(state, "vMax", x) : null;
    adamUpdate(x, dx, m, v, vMax, state.step, options);
  }
}
