import type { FloatArray } from "@slope/core";
import {
  type OptionSpec,
  Optimizer,
  type ParamGroup,
  type Parameter,
  type ParameterState,
  maximizeSpec,
} from "../optimizer.js";

/** Options of Lion. */
export type LionOptions = {
  /** The learning rate, the size of every coordinate's move (1e-4 by default; 3–10× smaller than AdamW's). */
  lr: number;
  /** β1, the interpolation between momentum and gradient whose sign is the update (0.9 by default). */
  beta1: number;
  /** β2, the decay of the momentum m (0.99 by default). */
  beta2: number;
  /** λ, decoupled weight decay: x −= lr·λ·x each step (0 by default). */
  weightDecay: number;
  /** Gradient ascent: step along +∇ instead of −∇ (off by default). */
  maximize: boolean;
};

const specs: Record<keyof LionOptions, OptionSpec> = {
  lr: { default: 1e-4, range: "nonNegative" },
  beta1: { default: 0.9, range: "unitInterval" },
  beta2: { default: 0.99, range: "unitInterval" },
  weightDecay: { default: 0, range: "nonNegative" },
  maximize: maximizeSpec,
};

/**
 * Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", Algorithm 2, with decoupled weight
 * decay λ; g = ±dx, − when maximizing; m starts at 0):
 *
 *     c = β1·m + (1 − β1)·g                 (the update's interpolation)
 *     x −= lr·(sign(c) + λ·x)
 *     m = β2·m + (1 − β2)·g                 (the momentum, with a different β)
 *
 * Every coordinate moves by exactly lr (plus decay) in the direction of sign(c), so Lion wants an lr 3–10×
 * smaller than AdamW's and a λ 3–10× larger. Not in PyTorch 1.13 (nor TensorFlow.js); the paper's defaults:
 * lr 1e-4, β1 0.9, β2 0.99, λ 0.
 */
export class Lion extends Optimizer<LionOptions> {
  constructor(params: readonly Parameter[] | readonly ParamGroup<LionOptions>[], options: Partial<LionOptions> = {}) {
    super("Lion", specs, params, options, { m: { always: true } });
  }

  protected update(x: FloatArray, dx: FloatArray, state: ParameterState, options: LionOptions): void {
    const { lr, beta1, beta2, weightDecay, maximize } = options;
    const m = this.buffer(state, "m", x);
    const sign = maximize ? -1 : 1;
    for (let i = 0; i < x.length; i++) {
      const g = sign * dx[i]!;
      const c = beta1 * m[i]! + (1 - beta1) * g;
      x[i]! -= lr * (Math.sign(c) + weightDecay * x[i]!);
      m[i] = beta2 * m[i]! + (1 - beta2) * g;
    }
  }
}
