import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { gather } from "./gather.js";

/** y = zeros(shape) with y[indices[r]] += x[r]; ∂L/∂x = gather(g, indices). */
export function scatterAddRows(a: VarLike, indices: ArrayLike<number>, shape: readonly number[]): Var {
  const x = toVar(a);
  return record("scatterAddRows", core.scatterAddRows(x.value, indices, shape), [x], (g) => [gather(g, indices)]);
}
