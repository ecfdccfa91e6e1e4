import type { FloatArray } from "@slope/core";
import {
  type OptionSpec,
  Optimizer,
  type ParamGroup,
  type Parameter,
  type ParameterState,
  maximizeSpec,
} from "../optimizer.js";

/** Options of NAdam. */
export type NAdamOptions = {
  /** The learning rate (2e-3 by default). */
  lr: number;
  /** β1, the decay of the first moment m (0.9 by default). */
  beta1: number;
  /** β2, the decay of the second moment v (0.999 by default). */
  beta2: number;
  /** ε, added to the root so that the division never blows up (1e-8 by default). */
  eps: number;
  /** The L2 penalty λ: λ·x is added to the gradient, the gradient of (λ/2)·Σx² (0 by default). */
  weightDecay: number;
  /** ψ, how fast the momentum schedule μₜ = β1·(1 − ½·0.96^(t·ψ)) rises to β1 (4e-3 by default). */
  momentumDecay: number;
  /** Gradient ascent: step along +∇ instead of −∇ (off by default). */
  maximize: boolean;
};

const specs: Record<keyof NAdamOptions, OptionSpec> = {
  lr: { default: 2e-3, range: "nonNegative" },
  beta1: { default: 0.9, range: "unitInterval" },
  beta2: { default: 0.999, range: "unitInterval" },
  eps: { default: 1e-8, range: "nonNegative" },
  weightDecay: { default: 0, range: "nonNegative" },
  momentumDecay: { default: 4e-3, range: "nonNegative" },
  maximize: maximizeSpec,
};

/**
 * NAdam (Dozat 2016): Adam with Nesterov momentum, as PyTorch's torch.optim.NAdam (t is the step count
 * from 1; g = ±dx + weightDecay·x, − when maximizing; ψ = momentumDecay; Π starts at 1):
 *
 *     μₜ = β1·(1 − ½·0.96^(t·ψ)),  μₜ₊₁ = β1·(1 − ½·0.96^((t+1)·ψ))
 *     Π = Π·μₜ                                        (the product μ₁…μₜ, kept per parameter)
 *     m = β1·m + (1 − β1)·g
 *     v = β2·v + (1 − β2)·g²
 *     d = √(v / (1 − β2ᵗ)) + ε
 *     x −= lr·(1 − μₜ)/(1 − Π) · g/d + lr·μₜ₊₁/(1 − Π·μₜ₊₁) · m/d
 *
 * Defaults (PyTorch's): lr 2e-3, β1 0.9, β2 0.999, ε 1e-8, momentumDecay 4e-3. (PyTorch 1.13's NAdam has
 * no maximize; Slope's is its rule applied to −dx.)
 */
export class NAdam extends Optimizer<NAdamOptions> {
  constructor(params: readonly Parameter[] | readonly ParamGroup<NAdamOptions>[], options: Partial<NAdamOptions> = {}) {
    super("NAdam", specs, params, options, {
      m: { always: true },
      v: { always: true },
      muProduct: { always: true, scalar: true },
    });
  }

  protected update(x: FloatArray, dx: FloatArray, state: ParameterState, options: NAdamOptions): void {
    const { lr, beta1, beta2, eps, weightDecay, momentumDecay, maximize } = options;
    const m = this.buffer(state, "m", x);
    const v = this.buffer(state, "v", x);
    const product = this.buffer(state, "muProduct", x, 1);
    const t = state.step;
    const sign = maximize ? -1 : 1;
    const c2 = 1 - beta2 ** t;
    const mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentumDecay));
    const muNext = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentumDecay));
    product[0] = product[0]! * mu; // rounded to the parameter's dtype, as PyTorch's state tensor is
    const muProduct = product[0]!;
    const gradStep = (lr * (1 - mu)) / (1 - muProduct);
    const momentumStep = (lr * muNext) / (1 - muProduct * muNext);
    for (let i = 0; i < x.length; i++) {
      const g = sign * dx[i]! + weightDecay * x[i]!;
      const mi = beta1 * m[i]! + (1 - beta1) * g;
      const vi = beta2 * v[i]! + (1 - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      const d = Math.sqrt(vi / c2) + eps;
      x[i]! -= (gradStep * g) / d;
      x[i]! -= (momentumStep * mi) / d;
    }
  }
}
