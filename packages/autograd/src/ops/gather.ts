import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";

// gather and scatterAddRows are each other's adjoint, so each one's vector-Jacobian product calls the other op:
// they share this file rather than two files that import each other.

/** y = rows of x picked by `indices`; ∂L/∂x = the rows of g added back at their indices. */
export function gather(a: VarLike, indices: ArrayLike<number>): Var {
  const x = toVar(a);
  return record("gather", core.gather(x.value, indices), [x], (g) => [scatterAddRows(g, indices, x.shape)]);
}

/** y = zeros(shape) with y[indices[r]] += x[r]; ∂L/∂x = gather(g, indices). */
export function scatterAddRows(a: VarLike, indices: ArrayLike<number>, shape: readonly number[]): Var {
  const x = toVar(a);
  return record("scatterAddRows", core.scatterAddRows(x.value, indices, shape), [x], (g) => [gather(g, indices)]);
}
