import { type Var, type VarLike, square, sub } from "@slope/autograd";
import { inputAndTarget } from "./operands.js";
import { type Reduction, checkReduction, reduceLosses } from "./reduction.js";

/** Options of `mseLoss`, `l1Loss` and the other elementwise regression losses. */
export interface ElementwiseLossOptions {
  /** "mean" (default) over every element, "sum", or "none" (the losses in the input's shape). */
  reduction?: Reduction;
}

/**
 * The mean squared error, as PyTorch's `mse_loss`: ℓ = (x − y)² elementwise, then reduced.
 * Gradient: ∂ℓ/∂x = 2(x − y) = −∂ℓ/∂y. Input and target must have the same shape and dtype.
 */
export function mseLoss(input: VarLike, target: VarLike, options: ElementwiseLossOptions = {}): Var {
  const name = "mseLoss";
  const [x, y] = inputAndTarget(input, target, name);
  const reduction = options.reduction ?? "mean";
  checkReduction(reduction, name);
  return reduceLosses(square(sub(x, y)), reduction);
}
