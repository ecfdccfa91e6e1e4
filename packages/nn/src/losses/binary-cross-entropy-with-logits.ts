import { type Var, type VarLike, add, mul, sub } from "@slope/autograd";
import { logSigmoid } from "./log-sigmoid.js";
import type { ElementwiseLossOptions } from "./mse-loss.js";
import { checkBroadcastsTo, checkSameDType, inputAndTarget, toOperand } from "./operands.js";
import { checkReduction, reduceLosses } from "./reduction.js";

/** Options of `binaryCrossEntropyWithLogits` (PyTorch's `binary_cross_entropy_with_logits`). */
export interface BinaryCrossEntropyWithLogitsOptions extends ElementwiseLossOptions {
  /** A weight w broadcast to the input's shape, multiplying each element's loss. */
  weight?: VarLike;
  /** A weight p of the positive examples broadcast to the input's shape (usually [C], one per class). */
  posWeight?: VarLike;
}

/**
 * The binary cross-entropy of logits x against targets y ∈ [0, 1], as PyTorch's
 * `binary_cross_entropy_with_logits` (and in its form), with p = posWeight, w = weight (1 when absent):
 *   ℓ = w·[(1 − y)·x − (1 + (p − 1)·y)·log σ(x)]
 * which is w·[−p·y·log σ(x) − (1 − y)·log(1 − σ(x))]. Without p it is max(x, 0) − x·y + log1p(e^{−|x|}),
 * exact at |x| = 1e4. Gradient: ∂ℓ/∂x = w·[(1 + (p − 1)y)·σ(x) − p·y], so w·(σ(x) − y) without p.
 */
export function binaryCrossEntropyWithLogits(
  input: VarLike,
  target: VarLike,
  options: BinaryCrossEntropyWithLogitsOptions = {},
): Var {
  const name = "binaryCrossEntropyWithLogits";
  const [x, y] = inputAndTarget(input, target, name);
  const reduction = options.reduction ?? "mean";
  checkReduction(reduction, name);
  const logSigmoidX = logSigmoid(x);
  let negativeLogLikelihood: Var;
  if (options.posWeight === undefined) {
    negativeLogLikelihood = sub(sub(x, mul(x, y)), logSigmoidX);
  } else {
    const p = toOperand(options.posWeight, name, "posWeight");
    checkBroadcastsTo(x, p, name, "posWeight");
    checkSameDType(x, p, name, "posWeight");
    const logWeight = add(mul(sub(p, 1), y), 1);
    negativeLogLikelihood = sub(sub(x, mul(x, y)), mul(logWeight, logSigmoidX));
  }
  let losses = negativeLogLikelihood;
  if (options.weight !== undefined) {
    const w = toOperand(options.weight, name, "weight");
    checkBroadcastsTo(x, w, name, "weight");
    checkSameDType(x, w, name, "weight");
    losses = mul(losses, w);
  }
  return reduceLosses(losses, reduction);
}
