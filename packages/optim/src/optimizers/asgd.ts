import type { FloatArray } from "@slope/core";
import {
  type OptionSpec,
  Optimizer,
  type ParamGroup,
  type Parameter,
  type ParameterState,
  maximizeSpec,
} from "../optimizer.js";

/** Options of ASGD. */
export type ASGDOptions = {
  /** The initial learning rate η (1e-2 by default). */
  lr: number;
  /** λ, the decay term of η = lr / (1 + λ·lr·t)^α, which also shrinks x by (1 − λ·η) (1e-4 by default). */
  lambd: number;
  /** α, the power of η's decay (0.75 by default). */
  alpha: number;
  /** The step after which averaging starts (1e6 by default). */
  t0: number;
  /** The L2 penalty λ: λ·x is added to the gradient, the gradient of (λ/2)·Σx² (0 by default). */
  weightDecay: number;
  /** Gradient ascent: step along +∇ instead of −∇ (off by default). */
  maximize: boolean;
};

const specs: Record<keyof ASGDOptions, OptionSpec> = {
  lr: { default: 1e-2, range: "nonNegative" },
  lambd: { default: 1e-4, range: "nonNegative" },
  alpha: { default: 0.75, range: "nonNegative" },
  t0: { default: 1e6, range: "nonNegative" },
  weightDecay: { default: 0, range: "nonNegative" },
  maximize: maximizeSpec,
};

/**
 * Averaged SGD (Polyak & Juditsky 1992; Bottou's schedule), as PyTorch's torch.optim.ASGD (t from 1;
 * g = ±dx + weightDecay·x, − when maximizing; η starts at lr, μ at 1, the average x̄ at 0):
 *
 *     x = x·(1 − λ·η) − η·g
 *     x̄ = x̄ + μ·(x − x̄)                   (x̄ = x while μ = 1)
 *     η = lr / (1 + λ·lr·t)^α,  μ = 1 / max(1, t − t0)
 *
 * The iterate x moves as SGD with a decaying rate; x̄ (the buffer "ax", the average of the iterates after
 * step t0) is what the method returns as its estimate. η and μ are kept per parameter in its dtype, as PyTorch's
 * state tensors are. Defaults (PyTorch's): lr 1e-2, λ (lambd) 1e-4, α 0.75, t0 1e6.
 */
export class ASGD extends Optimizer<ASGDOptions> {
  constructor(params: readonly Parameter[] | readonly ParamGroup<ASGDOptions>[], options: Partial<ASGDOptions> = {}) {
    super("ASGD", specs, params, options, {
      ax: { always: true },
      eta: { always: true, scalar: true },
      mu: { always: true, scalar: true },
    });
  }

  /** The running average x̄ of `p`'s iterates (zeros before its first step). */
  average(p: Parameter): FloatArray | undefined {
    return this.state.get(p)?.buffers.ax;
  }

  protected update(x: FloatArray, dx: FloatArray, state: ParameterState, options: ASGDOptions): void {
    const { lr, lambd, alpha, t0, weightDecay, maximize } = options;
    const ax = this.buffer(state, "ax", x);
    const etaBuffer = this.buffer(state, "eta", x, lr);
    const muBuffer = this.buffer(state, "mu", x, 1);
    const eta = etaBuffer[0]!;
    const mu = muBuffer[0]!;
    const shrink = 1 - lambd * eta;
    const sign = maximize ? -1 : 1;
    for (let i = 0; i < x.length; i++) {
      const g = sign * dx[i]! + weightDecay * x[i]!;
      const xi = x[i]! * shrink - eta * g;
      x[i] = xi;
      ax[i] = mu !== 1 ? ax[i]! + (xi - ax[i]!) * mu : xi;
    }
    etaBuffer[0] = lr / (1 + lambd * lr * state.step) ** alpha;
    muBuffer[0] = 1 / Math.max(1, state.step - t0);
  }
}
