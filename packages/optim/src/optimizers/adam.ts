import type { FloatArray } from "@slope/core";
import {
  type BufferSpec,
  type OptionSpec,
  Optimizer,
  type ParamGroup,
  type Parameter,
  type ParameterState,
  maximizeSpec,
} from "../optimizer.js";

/** Options of Adam. */
export type AdamOptions = {
  /** The learning rate (1e-3 by default). */
  lr: number;
  /** β1, the decay of the first moment m, the momentum (0.9 by default). */
  beta1: number;
  /** β2, the decay of the second moment v, the per-coordinate scale (0.999 by default). */
  beta2: number;
  /** ε, added to √v̂ so that the division never blows up (1e-8 by default). */
  eps: number;
  /**
   * Divide m and v by 1 − βᵗ so that the first steps are not too small (on by default; off is the lecture's
   * "incomplete" Adam).
   */
  biasCorrection: boolean;
  /**
   * AMSGrad: divide by a running maximum of the second moment so that the per-coordinate step never grows (off by
   * default).
   */
  amsgrad: boolean;
  /**
   * What AMSGrad's maximum is taken of: "v", the raw moment (PyTorch's, the default), or "vHat", the bias-corrected
   * one (Optax's).
   */
  amsgradMaxOf: "v" | "vHat";
  /** The L2 penalty λ: λ·x is added to the gradient, the gradient of (λ/2)·Σx² (0 by default). */
  weightDecay: number;
  /** Gradient ascent: step along +∇ instead of −∇ (off by default). */
  maximize: boolean;
};

/** Adam's option specs, shared with AdamW. */
export const adamSpecs: Record<keyof AdamOptions, OptionSpec> = {
  lr: { default: 1e-3, range: "nonNegative" },
  beta1: { default: 0.9, range: "unitInterval" },
  beta2: { default: 0.999, range: "unitInterval" },
  eps: { default: 1e-8, range: "nonNegative" },
  biasCorrection: { default: true, range: "boolean" },
  amsgrad: { default: false, range: "boolean" },
  amsgradMaxOf: { default: "v", range: "choice", choices: ["v", "vHat"] },
  weightDecay: { default: 0, range: "nonNegative" },
  maximize: maximizeSpec,
};

/** Adam's state buffers, shared with AdamW: the moments, and the running maximum when amsgrad. */
export const adamBuffers: Record<string, BufferSpec> = {
  m: { always: true },
  v: { always: true },
  vMax: { always: false },
};

/**
 * One Adam update of x in place (t is this parameter's step count, from 1; g = ±dx + weightDecay·x,
 * − when maximizing):
 *
 *     m = β1·m + (1 − β1)·g
 *     v = β2·v + (1 − β2)·g²
 *     m̂ = m / (1 − β1ᵗ),  v̂ = v / (1 − β2ᵗ)          (biasCorrection; else m̂ = m, v̂ = v)
 *     x −= lr · m̂ / (√v̂ + ε)
 *
 * AMSGrad (Reddi et al. 2018) keeps a running maximum so the per-coordinate step never grows; where
 * the maximum is taken differs between libraries, and `amsgradMaxOf` chooses:
 *
 *     "v"    (PyTorch's Adam(amsgrad=True), the default): vMax = max(vMax, v);  x −= lr·m̂ / (√vMax/√(1 − β2ᵗ) + ε)
 *     "vHat" (Optax's scale_by_amsgrad):                  vMax = max(vMax, v̂);  x −= lr·m̂ / (√vMax + ε)
 *
 * They differ because 1 − β2ᵗ grows with t: "v" compares raw moments and corrects the maximum by
 * today's factor; "vHat" compares moments each corrected by its own step's factor.
 */
export function adamUpdate(
  x: FloatArray,
  dx: FloatArray,
  m: FloatArray,
  v: FloatArray,
  vMax: FloatArray | null,
  t: number,
  { lr, beta1, beta2, eps, biasCorrection, weightDecay, maximize, amsgradMaxOf }: AdamOptions,
): void {
  const sign = maximize ? -1 : 1;
  const c1 = biasCorrection ? 1 - beta1 ** t : 1;
  const c2 = biasCorrection ? 1 - beta2 ** t : 1;
  const rawMax = amsgradMaxOf === "v";
  const sqrtC2 = Math.sqrt(c2);
  const stepSize = lr / c1;
  for (let i = 0; i < x.length; i++) {
    const g = sign * dx[i]! + weightDecay * x[i]!;
    const mi = beta1 * m[i]! + (1 - beta1) * g;
    const vi = beta2 * v[i]! + (1 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    if (vMax && rawMax) {
      const most = vi > vMax[i]! || Number.isNaN(vi) ? vi : vMax[i]!;
      vMax[i] = most;
      x[i]! -= (stepSize * mi) / (Math.sqrt(most) / sqrtC2 + eps);
      continue;
    }
    let vHat = vi / c2;
    if (vMax) {
      if (vHat < vMax[i]! || Number.isNaN(vMax[i]!)) vHat = vMax[i]!;
      vMax[i] = vHat;
    }
    x[i]! -= (lr * (mi / c1)) / (Math.sqrt(vHat) + eps);
  }
}

/**
 * Adam (Kingma & Ba 2015): momentum on the gradient plus RMSProp's per-coordinate scale, with bias
 * correction so the first steps are not too small. `biasCorrection: false` is the lecture's
 * "incomplete" Adam. Defaults (PyTorch's): lr 1e-3, β1 0.9, β2 0.999, ε 1e-8 (outside the root),
 * amsgrad off (its maximum taken of v, as PyTorch), maximize off.
 */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: readonly Parameter[] | readonly ParamGroup<AdamOptions>[], options: Partial<AdamOptions> = {}) {
    super("Adam", adamSpecs, params, options, adamBuffers);
  }

  protected update(x: FloatArray, dx: FloatArray, state: ParameterState, options: AdamOptions): void {
    const m = this.buffer(state, "m", x);
    const v = this.buffer(state, "v", x);
    const vMax = options.amsgrad ? this.buffer(state, "vMax", x) : null;
    adamUpdate(x, dx, m, v, vMax, state.step, options);
  }
}
