import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { scatterAddRows } from "./scatter-add-rows.js";

/** y = rows of x picked by `indices`; ∂L/∂x = the rows of g added back at their indices. */
export function gather(a: VarLike, indices: ArrayLike<number>): Var {
  const x = toVar(a);
  return record("gather", core.gather(x.value, indices), [x], (g) => [scatterAddRows(g, indices, x.shape)]);
}
