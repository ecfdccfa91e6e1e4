import type { FloatArray } from "@slope/core";
import {
  type OptionSpec,
  Optimizer,
  type ParamGroup,
  type Parameter,
  type ParameterState,
  maximizeSpec,
} from "../optimizer.js";

/** Options of AdaGrad. */
export type AdaGradOptions = {
  /** The learning rate (required). */
  lr: number;
  /** ε, added to the root so that the division never blows up (1e-7 by default, the lecture's). */
  eps: number;
  /** The L2 penalty λ: λ·x is added to the gradient, the gradient of (λ/2)·Σx² (0 by default). */
  weightDecay: number;
  /** The value the cache of squared gradients starts at (0 by default; TensorFlow.js's is 0.1). */
  initialAccumulatorValue: number;
  /** Decays the learning rate over steps: lrₜ = lr / (1 + (t − 1)·lrDecay) (0 by default). */
  lrDecay: number;
  /** Divide by √(cache + ε) (TensorFlow.js's) instead of √cache + ε (the lecture's and PyTorch's; the default). */
  epsInsideSqrt: boolean;
  /** Gradient ascent: step along +∇ instead of −∇ (off by default). */
  maximize: boolean;
};

const specs: Record<keyof AdaGradOptions, OptionSpec> = {
  lr: { range: "nonNegative" },
  eps: { default: 1e-7, range: "nonNegative" },
  weightDecay: { default: 0, range: "nonNegative" },
  initialAccumulatorValue: { default: 0, range: "nonNegative" },
  lrDecay: { default: 0, range: "nonNegative" },
  epsInsideSqrt: { default: false, range: "boolean" },
  maximize: maximizeSpec,
};

/**
 * AdaGrad (Duchi et al. 2011), the lecture's form with PyTorch's options (t is the step count from 1;
 * g = ±dx + weightDecay·x, − when maximizing; cache starts at initialAccumulatorValue):
 *
 *     cache += g²
 *     lrₜ = lr / (1 + (t − 1)·lrDecay)
 *     x −= lrₜ · g / (√cache + ε)            (epsInsideSqrt: false — the lecture's and PyTorch's)
 *     x −= lrₜ · g / √(cache + ε)            (epsInsideSqrt: true — TensorFlow.js's tf.train.adagrad)
 *
 * The per-coordinate step shrinks as squared gradients pile up. Defaults: lr required, ε = 1e-7 (the
 * lecture's; PyTorch's is 1e-10), initialAccumulatorValue 0 (TensorFlow.js's is 0.1), lrDecay 0.
 */
export class AdaGrad extends Optimizer<AdaGradOptions> {
  constructor(
    params: readonly Parameter[] | readonly ParamGroup<AdaGradOptions>[],
    options: Partial<AdaGradOptions> = {},
  ) {
    super("AdaGrad", specs, params, options, { cache: { always: true } });
  }

  protected update(x: FloatArray, dx: FloatArray, state: ParameterState, options: AdaGradOptions): void {
    const { lr, eps, weightDecay, initialAccumulatorValue, lrDecay, epsInsideSqrt, maximize } = options;
    const cache = this.buffer(state, "cache", x, initialAccumulatorValue);
    const sign = maximize ? -1 : 1;
    const lrT = lr / (1 + (state.step - 1) * lrDecay);
    for (let i = 0; i < x.length; i++) {
      const g = sign * dx[i]! + weightDecay * x[i]!;
      const c = cache[i]! + g * g;
      cache[i] = c;
      x[i]! -= (lrT * g) / (epsInsideSqrt ? Math.sqrt(c + eps) : Math.sqrt(c) + eps);
    }
  }
}
