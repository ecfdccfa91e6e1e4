import { type Var, type VarLike, abs, sub } from "@slope/autograd";
import type { ElementwiseLossOptions } from "./mse-loss.js";
import { inputAndTarget } from "./operands.js";
import { checkReduction, reduceLosses } from "./reduction.js";

/**
 * The mean absolute error, as PyTorch's `l1_loss`: ℓ = |x − y| elementwise, then reduced.
 * Gradient: ∂ℓ/∂x = sign(x − y) = −∂ℓ/∂y (0 at the kink x = y, as PyTorch).
 */
export function l1Loss(input: VarLike, target: VarLike, options: ElementwiseLossOptions = {}): Var {
  const name = "l1Loss";
  const [x, y] = inputAndTarget(input, target, name);
  const reduction = options.reduction ?? "mean";
  checkReduction(reduction, name);
  return reduceLosses(abs(sub(x, y)), reduction);
}
