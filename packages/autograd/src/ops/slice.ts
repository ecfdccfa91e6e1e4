import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";

// slice and pad are each other's adjoint, so each one's vector-Jacobian product calls the other op: they share
// this file rather than two files that import each other.

/**
 * y = the block of x at `begin` of extent `size` (−1: to the end); a negative begin counts from the
 * end (−1 is the last element, as in numpy). ∂L/∂x = g padded with zeros back to x's shape.
 */
export function slice(a: VarLike, begin: readonly number[], size?: readonly number[]): Var {
  const x = toVar(a);
  const value = core.slice(x.value, begin, size);
  const start = x.shape.map((dim, d) => {
    const b = begin[d] ?? 0;
    return b < 0 ? b + dim : b;
  });
  return record("slice", value, [x], (g) => [pad(g, start, x.shape)], { begin: start, size: value.shape });
}

/** y = x placed at `begin` inside zeros of `shape`; ∂L/∂x = the block of g where x sits. */
export function pad(a: VarLike, begin: readonly number[], shape: readonly number[]): Var {
  const x = toVar(a);
  return record("pad", core.pad(x.value, begin, shape), [x], (g) => [slice(g, begin, x.shape)], { begin, shape });
}
