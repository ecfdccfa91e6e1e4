import type { FloatArray } from "@slope/core";
import {
  type OptionSpec,
  Optimizer,
  type ParamGroup,
  type Parameter,
  type ParameterState,
  maximizeSpec,
} from "../optimizer.js";

/** Options of RMSProp. */
export type RMSPropOptions = {
  /** The learning rate (required). */
  lr: number;
  /** ρ, how much of the cache of squared gradients is kept each step (0.99 by default; PyTorch's alpha). */
  decayRate: number;
  /** ε, added to the root so that the division never blows up (1e-8 by default). */
  eps: number;
  /** The L2 penalty λ: λ·x is added to the gradient, the gradient of (λ/2)·Σx² (0 by default). */
  weightDecay: number;
  /** μ of an optional momentum buffer over the scaled gradient, b = μ·b + g/d (0 by default: none). */
  momentum: number;
  /** Divide by an estimate of the gradient's variance, cache − ḡ², instead of its second moment (off by default). */
  centered: boolean;
  /** Divide by √(s + ε) (TensorFlow.js's) instead of √s + ε (the default). */
  epsInsideSqrt: boolean;
  /** Gradient ascent: step along +∇ instead of −∇ (off by default). */
  maximize: boolean;
};

const specs: Record<keyof RMSPropOptions, OptionSpec> = {
  lr: { range: "nonNegative" },
  decayRate: { default: 0.99, range: "unitInterval" },
  eps: { default: 1e-8, range: "nonNegative" },
  weightDecay: { default: 0, range: "nonNegative" },
  momentum: { default: 0, range: "unitInterval" },
  centered: { default: false, range: "boolean" },
  epsInsideSqrt: { default: false, range: "boolean" },
  maximize: maximizeSpec,
};

/**
 * RMSProp (Tieleman & Hinton 2012), the lecture's form with PyTorch's options (buffers start at 0;
 * g = ±dx + weightDecay·x, − when maximizing):
 *
 *     cache = ρ·cache + (1 − ρ)·g²
 *     s = cache                                 s = cache − ḡ², ḡ = ρ·ḡ + (1 − ρ)·g   (centered)
 *     d = √s + ε                                d = √(s + ε)          (epsInsideSqrt, TensorFlow.js's)
 *     x −= lr · g / d                           (momentum = 0)
 *     b = μ·b + g / d;  x −= lr · b             (momentum μ > 0, PyTorch's form)
 *
 * A leaky AdaGrad: the step does not decay to zero. `centered` divides by an estimate of the gradient's
 * variance rather than its second moment. TensorFlow.js's tf.train.rmsprop keeps lr inside its momentum
 * buffer (b = μ·b + lr·g/d; x −= b), which gives the same iterates while lr is constant; centered, it computes
 * √(cache − (ḡ² + ε)), subtracting ε (tfjs-core 4.22), where Slope adds it: over 30 float32 steps of the parity
 * problem that moves the iterates by 3.5e-6 relative (8.9e-6 with momentum 0.9), against 1.1e-7 uncentered.
 * Defaults: lr required, ρ (decayRate; PyTorch's alpha, TensorFlow.js's decay) 0.99, ε 1e-8 outside the
 * root, momentum 0, centered off.
 */
export class RMSProp extends Optimizer<RMSPropOptions> {
  constructor(
    params: readonly Parameter[] | readonly ParamGroup<RMSPropOptions>[],
    options: Partial<RMSPropOptions> = {},
  ) {
    super("RMSProp", specs, params, options, {
      cache: { always: true },
      gradAverage: { always: false },
      momentumBuffer: { always: false },
    });
  }

  protected update(x: FloatArray, dx: FloatArray, state: ParameterState, options: RMSPropOptions): void {
    const { lr, decayRate: rho, eps, weightDecay, momentum, centered, epsInsideSqrt, maximize } = options;
    const cache = this.buffer(state, "cache", x);
    const average = centered ? this.buffer(state, "gradAverage", x) : null;
    const b = momentum > 0 ? this.buffer(state, "momentumBuffer", x) : null;
    const sign = maximize ? -1 : 1;
    for (let i = 0; i < x.length; i++) {
      const g = sign * dx[i]! + weightDecay * x[i]!;
      const c = rho * cache[i]! + (1 - rho) * g * g;
      cache[i] = c;
      let s = c;
      if (average) {
        const a = rho * average[i]! + (1 - rho) * g;
        average[i] = a;
        s = c - a * a;
      }
      const d = epsInsideSqrt ? Math.sqrt(s + eps) : Math.sqrt(s) + eps;
      if (b) {
        const bi = momentum * b[i]! + g / d;
        b[i] = bi;
        x[i]! -= lr * bi;
      } else {
        x[i]! -= (lr * g) / d;
      }
    }
  }
}
