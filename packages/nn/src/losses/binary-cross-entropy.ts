import * as core from "@slope/core";
import { type Var, type VarLike, add, log, log1p, maximum, mul, neg, sub, where } from "@slope/autograd";
import type { ElementwiseLossOptions } from "./mse-loss.js";
import { checkBroadcastsTo, checkSameDType, inputAndTarget, toOperand } from "./operands.js";
import { checkReduction, reduceLosses } from "./reduction.js";

/** Options of `binaryCrossEntropy` (PyTorch's `binary_cross_entropy`). */
export interface BinaryCrossEntropyOptions extends ElementwiseLossOptions {
  /** A weight w broadcast to the input's shape, multiplying each element's loss. */
  weight?: VarLike;
}

/**
 * The binary cross-entropy of probabilities x ∈ [0, 1] against targets y ∈ [0, 1], as PyTorch's
 * `binary_cross_entropy`, whose logarithms are clamped at −100 so that x = 0 or 1 gives a finite loss:
 *   ℓ = −w·[y·max(log x, −100) + (1 − y)·max(log1p(−x), −100)]
 * Gradient: ∂ℓ/∂x = w·(x − y) / (x(1 − x)) where no clamp is active; a clamped logarithm passes no
 * gradient (where x = 0 or 1 that term is 0, never 0/0 = NaN). For logits use
 * `binaryCrossEntropyWithLogits`, which is exact where σ would round to 0 or 1.
 * Throws ValueError for an input or target outside [0, 1] (NaN passes through to the loss).
 */
export function binaryCrossEntropy(input: VarLike, target: VarLike, options: BinaryCrossEntropyOptions = {}): Var {
  const name = "binaryCrossEntropy";
  const [x, y] = inputAndTarget(input, target, name);
  checkUnitInterval(x.value, name, "input");
  checkUnitInterval(y.value, name, "target");
  const reduction = options.reduction ?? "mean";
  checkReduction(reduction, name);
  const logX = clampedLog(x, core.equal(x.value, 0), (v) => log(v), 1);
  const logOneMinusX = clampedLog(x, core.equal(x.value, 1), (v) => log1p(neg(v)), 0);
  let losses = neg(add(mul(y, logX), mul(sub(1, y), logOneMinusX)));
  if (options.weight !== undefined) {
    const w = toOperand(options.weight, name, "weight");
    checkBroadcastsTo(x, w, name, "weight");
    checkSameDType(x, w, name, "weight");
    losses = mul(losses, w);
  }
  return reduceLosses(losses, reduction);
}

/**
 * max(f(x), −100), and −100 where `infinite` marks the x at which f is −∞. There f is evaluated at
 * `safe` instead, so that the (zero) gradient never becomes 0·∞.
 */
function clampedLog(x: Var, infinite: core.Tensor, f: (v: Var) => Var, safe: number): Var {
  return where(infinite, -100, maximum(f(where(infinite, safe, x)), -100));
}

/** PyTorch's check that probabilities lie in [0, 1]; NaN is let through. */
function checkUnitInterval(t: core.Tensor, where: string, what: string): void {
  const outside = core.add(core.less(t, 0), core.greater(t, 1));
  if (t.size === 0 || core.max(outside).item() === 0) return;
  const index = core.argmax(core.reshape(outside, [-1])).item();
  const value = t.data[index];
  throw new core.ValueError(`${where}: the ${what} must be in [0, 1], got ${value} at flat index ${index}`);
}
