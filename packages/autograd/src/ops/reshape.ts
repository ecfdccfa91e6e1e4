import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";

/** y = x in a new shape (one −1 inferred); ∂L/∂x = g reshaped back to x's shape. */
export function reshape(a: VarLike, shape: readonly number[]): Var {
  const x = toVar(a);
  return record("reshape", core.reshape(x.value, shape), [x], (g) => [reshape(g, x.shape)], { shape });
}
