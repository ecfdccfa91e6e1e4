import { type FloatArray, ValueError } from "@slope/core";
import {
  type OptionSpec,
  Optimizer,
  type ParamGroup,
  type Parameter,
  type ParameterState,
  maximizeSpec,
} from "../optimizer.js";

/** Options of Rprop. */
export type RpropOptions = {
  /** The step size every coordinate starts with (1e-2 by default). */
  lr: number;
  /** η₋, the factor a step shrinks by when the gradient's sign flips, in [0, 1) (0.5 by default). */
  etaMinus: number;
  /** η₊, the factor a step grows by while the sign holds (1.2 by default). */
  etaPlus: number;
  /** The smallest step size (1e-6 by default). */
  stepSizeMin: number;
  /** The largest step size (50 by default). */
  stepSizeMax: number;
  /** Gradient ascent: step along +∇ instead of −∇ (off by default). */
  maximize: boolean;
};

const specs: Record<keyof RpropOptions, OptionSpec> = {
  lr: { default: 1e-2, range: "nonNegative" },
  etaMinus: { default: 0.5, range: "unitInterval" },
  etaPlus: { default: 1.2, range: "positive" },
  stepSizeMin: { default: 1e-6, range: "nonNegative" },
  stepSizeMax: { default: 50, range: "positive" },
  maximize: maximizeSpec,
};

/**
 * Rprop (Riedmiller & Braun 1993), resilient backpropagation, as PyTorch's torch.optim.Rprop: only the
 * gradient's sign is used, with a step size per coordinate that grows while the sign holds and shrinks when
 * it flips (g = ±dx, − when maximizing; step sizes start at lr, g_prev at 0):
 *
 *     s = sign(g · g_prev)
 *     s > 0: step = min(step·η₊, stepSizeMax)
 *     s < 0: step = max(step·η₋, stepSizeMin);  g = 0   (no move, and the next step counts as a fresh start)
 *     s = 0: step unchanged
 *     x −= sign(g) · step;  g_prev = g
 *
 * Defaults (PyTorch's; its etas = (η₋, η₊), step_sizes = (min, max)): lr 1e-2, η₋ 0.5, η₊ 1.2, steps in
 * [1e-6, 50]. Meant for full-batch gradients.
 */
export class Rprop extends Optimizer<RpropOptions> {
  constructor(params: readonly Parameter[] | readonly ParamGroup<RpropOptions>[], options: Partial<RpropOptions> = {}) {
    super("Rprop", specs, params, options, { previousGradient: { always: true }, stepSize: { always: true } });
  }

  protected override checkOptions(o: Partial<RpropOptions>): void {
    if (o.etaMinus !== undefined && o.etaPlus !== undefined && !(0 < o.etaMinus && o.etaPlus > 1)) {
      throw new ValueError(`Rprop: expected 0 < etaMinus < 1 < etaPlus, got ${o.etaMinus} and ${o.etaPlus}`);
    }
    if (o.stepSizeMin !== undefined && o.stepSizeMax !== undefined && !(o.stepSizeMin <= o.stepSizeMax)) {
      throw new ValueError(`Rprop: expected stepSizeMin ≤ stepSizeMax, got ${o.stepSizeMin} and ${o.stepSizeMax}`);
    }
  }

  protected update(x: FloatArray, dx: FloatArray, state: ParameterState, options: RpropOptions): void {
    const { lr, etaMinus, etaPlus, stepSizeMin, stepSizeMax, maximize } = options;
    const previous = this.buffer(state, "previousGradient", x);
    const stepSize = this.buffer(state, "stepSize", x, lr);
    const sign = maximize ? -1 : 1;
    for (let i = 0; i < x.length; i++) {
      let g = sign * dx[i]!;
      const s = Math.sign(g * previous[i]!);
      const factor = s > 0 ? etaPlus : s < 0 ? etaMinus : Number.isNaN(s) ? s : 1;
      stepSize[i] = Math.min(Math.max(stepSize[i]! * factor, stepSizeMin), stepSizeMax);
      if (s < 0) g = 0;
      x[i]! -= Math.sign(g) * stepSize[i]!;
      previous[i] = g;
    }
  }
}
