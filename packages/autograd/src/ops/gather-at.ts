import * as internal from "@slope/core/internal";
import { type Var, type VarLike, record, toVar } from "../var.js";

/**
 * y = the values of x at flat indices, of `shape` (y[i] = x[indices[i]]); ∂x = scatterAddAt(G, indices) —
 * the two are each other's adjoints. Max pooling's gradient is a scatterAddAt of the indices it chose.
 */
export function gatherAt(input: VarLike, indices: Int32Array, shape: readonly number[]): Var {
  const x = toVar(input);
  return record("gatherAt", internal.gatherAt(x.value, indices, shape), [x], (g) => [
    scatterAddAt(g, indices, x.shape),
  ]);
}

/** y of `shape`, zero but y[indices[i]] += x[i]; ∂x = gatherAt(G, indices). */
export function scatterAddAt(input: VarLike, indices: Int32Array, shape: readonly number[]): Var {
  const x = toVar(input);
  return record("scatterAddAt", internal.scatterAddAt(x.value, indices, shape), [x], (g) => [
    gatherAt(g, indices, x.shape),
  ]);
}
