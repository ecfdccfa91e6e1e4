import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";

/** y = x converted to `dtype`; ∂L/∂x = g converted back to x's dtype. */
export function cast(a: VarLike, dtype: core.DType): Var {
  const x = toVar(a);
  return record("cast", core.cast(x.value, dtype), [x], (g) => [cast(g, x.dtype)], { dtype });
}
