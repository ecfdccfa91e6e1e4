import * as core from "@slope/core";
import { type Var, type VarLike, abs, mul, square, sub, where } from "@slope/autograd";
import type { ElementwiseLossOptions } from "./mse-loss.js";
import { inputAndTarget } from "./operands.js";
import { checkReduction, reduceLosses } from "./reduction.js";

/** Options of `huberLoss` (PyTorch's `huber_loss`). */
export interface HuberLossOptions extends ElementwiseLossOptions {
  /** δ > 0, where the loss turns from quadratic to linear (default 1). */
  delta?: number;
}

/**
 * The Huber loss, as PyTorch's `huber_loss`, with r = x − y elementwise:
 *   ℓ = ½r²            if |r| < δ
 *   ℓ = δ·(|r| − ½δ)   otherwise
 * then reduced. Gradient: ∂ℓ/∂x = r where |r| < δ, δ·sign(r) elsewhere (= −∂ℓ/∂y); continuous at |r| = δ.
 */
export function huberLoss(input: VarLike, target: VarLike, options: HuberLossOptions = {}): Var {
  const name = "huberLoss";
  const [x, y] = inputAndTarget(input, target, name);
  const reduction = options.reduction ?? "mean";
  checkReduction(reduction, name);
  const delta = options.delta ?? 1;
  if (typeof delta !== "number" || !(delta > 0) || !Number.isFinite(delta)) {
    throw new core.ValueError(`${name}: delta must be a finite number > 0, got ${String(delta)}`);
  }
  const r = sub(x, y);
  const size = abs(r);
  const quadratic = core.less(size.value, delta);
  return reduceLosses(where(quadratic, mul(square(r), 0.5), mul(sub(size, 0.5 * delta), delta)), reduction);
}
