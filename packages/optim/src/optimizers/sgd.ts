import { type FloatArray, kernels } from "@slope/core";
import { type OptionSpec, Optimizer, type ParamGroup, type Parameter } from "../optimizer.js";

/** Options of SGD: the learning rate (required) and an optional L2 weight decay added to the gradient. */
export type SGDOptions = { lr: number; weightDecay: number };

const specs: Record<keyof SGDOptions, OptionSpec> = {
  lr: { range: "positive" },
  weightDecay: { default: 0, range: "nonNegative" },
};

/**
 * Vanilla (stochastic, mini-batch) gradient descent, the lecture's update:
 *
 *     x −= lr · dx                      (dx = ∇ + weightDecay · x)
 *
 * Defaults: lr required, weightDecay 0.
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: readonly Parameter[] | readonly ParamGroup<SGDOptions>[], options: Partial<SGDOptions> = {}) {
    super("SGD", specs, params, options);
  }

  protected update(x: FloatArray, dx: FloatArray, _state: unknown, { lr, weightDecay }: SGDOptions): void {
    if (weightDecay === 0) kernels().axpy(x, -lr, dx); // x + (−lr)·dx: the same bits as x − lr·dx
    else for (let i = 0; i < x.length; i++) x[i] -= lr * (dx[i]! + weightDecay * x[i]!);
  }
}
