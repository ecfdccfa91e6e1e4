import type { FloatArray } from "@slope/core";
import {
  type OptionSpec,
  Optimizer,
  type ParamGroup,
  type Parameter,
  type ParameterState,
  maximizeSpec,
} from "../optimizer.js";

/** Options of Momentum. */
export type MomentumOptions = {
  /** The learning rate (required). */
  lr: number;
  /** μ, the fraction of the velocity kept from step to step, in [0, 1) (0.9 by default). */
  momentum: number;
  /**
   * How much of each new gradient is held back: it enters the velocity times (1 − dampening) (0 by default; μ gives
   * the slide's (1 − μ) form).
   */
  dampening: number;
  /** The L2 penalty λ: λ·x is added to the gradient, the gradient of (λ/2)·Σx² (0 by default). */
  weightDecay: number;
  /**
   * "lecture" keeps lr inside the velocity (the default); "pytorch" keeps the velocity in gradient units and
   * multiplies it by lr at each step.
   */
  form: "lecture" | "pytorch";
  /** Gradient ascent: step along +∇ instead of −∇ (off by default). */
  maximize: boolean;
};

const specs: Record<keyof MomentumOptions, OptionSpec> = {
  lr: { range: "nonNegative" },
  momentum: { default: 0.9, range: "unitInterval" },
  dampening: { default: 0, range: "unitInterval" },
  weightDecay: { default: 0, range: "nonNegative" },
  form: { default: "lecture", range: "choice", choices: ["lecture", "pytorch"] },
  maximize: maximizeSpec,
};

/**
 * SGD with momentum (velocity v starts at 0; g = ±dx + weightDecay·x, − when maximizing), in two forms:
 *
 *     form: "lecture" (the default)             form: "pytorch" (torch.optim.SGD(momentum=μ))
 *     v = μ·v − (1 − dampening)·lr·g            v = g at the first step (not damped),
 *                                               v = μ·v + (1 − dampening)·g after it
 *     x += v                                    x −= lr·v
 *
 * The lecture's form keeps lr inside v: changing lr (a schedule) changes only new contributions, and
 * dampening = μ gives the slide's "(1 − μ)" form. PyTorch's keeps v in gradient units and multiplies the
 * whole velocity by today's lr, so a schedule rescales past momentum too; TensorFlow.js's
 * tf.train.momentum is PyTorch's form without dampening. With a constant lr and dampening 0 the two forms
 * give the same iterates. Defaults: μ = 0.9, dampening 0, maximize off.
 */
export class Momentum extends Optimizer<MomentumOptions> {
  constructor(
    params: readonly Parameter[] | readonly ParamGroup<MomentumOptions>[],
    options: Partial<MomentumOptions> = {},
  ) {
    super("Momentum", specs, params, options, { velocity: { always: true } });
  }

  protected update(x: FloatArray, dx: FloatArray, state: ParameterState, options: MomentumOptions): void {
    const { lr, momentum, dampening, weightDecay, form, maximize } = options;
    const v = this.buffer(state, "velocity", x);
    const sign = maximize ? -1 : 1;
    if (form === "pytorch") {
      const first = state.step === 1;
      for (let i = 0; i < x.length; i++) {
        const g = sign * dx[i]! + weightDecay * x[i]!;
        const vi = first ? g : momentum * v[i]! + (1 - dampening) * g;
        v[i] = vi;
        x[i]! -= lr * vi;
      }
      return;
    }
    const scale = (1 - dampening) * lr;
    for (let i = 0; i < x.length; i++) {
      const vi = momentum * v[i]! - scale * (sign * dx[i]! + weightDecay * x[i]!);
      v[i] = vi;
      x[i]! += vi;
    }
  }
}
