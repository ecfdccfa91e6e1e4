import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { pad } from "./pad.js";

/**
 * y = the block of x at `begin` of extent `size` (−1: to the end); a negative begin counts from the
 * end (−1 is the last element, as in numpy). ∂L/∂x = g padded with zeros back to x's shape.
 */
export function slice(a: VarLike, begin: readonly number[], size?: readonly number[]): Var {
  const x = toVar(a);
  const value = core.slice(x.value, begin, size);
  const start = x.shape.map((dim, d) => { const b = begin[d] ?? 0; return b < 0 ? b + dim : b; });
  return record("slice", value, [x], (g) => [pad(g, start, x.shape)], { begin: start, size: value.shape });
}
