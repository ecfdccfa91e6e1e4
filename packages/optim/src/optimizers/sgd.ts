import type { FloatArray } from "@slope/core";
import { kernels } from "@slope/core/internal";
import { type OptionSpec, Optimizer, type ParamGroup, type Parameter, maximizeSpec } from "../optimizer.js";

/** Options of SGD: the learning rate (required), an optional L2 weight decay added to the gradient, maximize. */
export type SGDOptions = {
  /** The learning rate, the step size along −∇ (required). */
  lr: number;
  /** The L2 penalty λ: λ·x is added to the gradient, the gradient of (λ/2)·Σx² (0 by default). */
  weightDecay: number;
  /** Gradient ascent: step along +∇ instead of −∇ (off by default). */
  maximize: boolean;
};

const specs: Record<keyof SGDOptions, OptionSpec> = {
  lr: { range: "nonNegative" },
  weightDecay: { default: 0, range: "nonNegative" },
  maximize: maximizeSpec,
};

/**
 * Vanilla (stochastic, mini-batch) gradient descent, the lecture's update:
 *
 *     x −= lr · g                      (g = ±dx + weightDecay · x; − when maximizing)
 *
 * Defaults: lr required, weightDecay 0, maximize off. PyTorch: SGD(lr, weight_decay, maximize);
 * TensorFlow.js: tf.train.sgd(learningRate).
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: readonly Parameter[] | readonly ParamGroup<SGDOptions>[], options: Partial<SGDOptions> = {}) {
    super("SGD", specs, params, options);
  }

  protected update(x: FloatArray, dx: FloatArray, _state: unknown, { lr, weightDecay, maximize }: SGDOptions): void {
    const sign = maximize ? -1 : 1;
    if (weightDecay === 0)
      kernels().axpy(x, -sign * lr, dx); // x + (∓lr)·dx: the same bits as x ∓ lr·dx
    else for (let i = 0; i < x.length; i++) x[i]! -= lr * (sign * dx[i]! + weightDecay * x[i]!);
  }
}
