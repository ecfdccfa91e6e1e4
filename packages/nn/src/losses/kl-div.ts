import * as core from "@slope/core";
import { type Var, type VarLike, div, exp, log, mul, sub, sum, where } from "@slope/autograd";
import { inputAndTarget } from "./operands.js";
import { type Reduction, checkReduction, reduceLosses } from "./reduction.js";

/** Options of `klDiv` (PyTorch's `kl_div`). */
export interface KlDivOptions {
  /** "mean" (default, over every element), "batchmean" (Σ ℓ / N: the KL divergence per example), "sum" or "none". */
  reduction?: Reduction | "batchmean";
  /** Whether the target is given as log-probabilities too (default false). */
  logTarget?: boolean;
}

/**
 * The Kullback–Leibler divergence KL(t ‖ p) with the input x = log p (log-probabilities), as
 * PyTorch's `kl_div`, elementwise:
 *   ℓ = t·(log t − x)        with 0·log 0 = 0        (logTarget false: t probabilities)
 *   ℓ = e^t·(t − x)                                    (logTarget true: t log-probabilities)
 * then reduced; "batchmean" divides the sum by N = x.shape[0] (by 1 for a scalar), which is the KL
 * divergence of each example's distribution averaged over the batch. "mean" divides by every element.
 * Gradient: ∂ℓ/∂x = −t (−e^t); ∂ℓ/∂t = log t + 1 − x (e^t·(t − x + 1)).
 */
export function klDiv(input: VarLike, target: VarLike, options: KlDivOptions = {}): Var {
  const name = "klDiv";
  const [x, t] = inputAndTarget(input, target, name);
  const reduction = options.reduction ?? "mean";
  checkReduction(reduction, name, ["mean", "batchmean", "sum", "none"]);
  let losses: Var;
  if (options.logTarget ?? false) {
    losses = mul(exp(t), sub(t, x));
  } else {
    const zero = core.equal(t.value, 0);
    losses = sub(mul(t, log(where(zero, 1, t))), mul(t, x)); // t·log t is 0 at t = 0, and so is its gradient's factor t
  }
  if (reduction !== "batchmean") return reduceLosses(losses, reduction);
  return div(sum(losses), x.shape[0] ?? 1); // a scalar input is a batch of one
}
