import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { pad } from "./pad.js";

/** y = the block of x at `begin` of extent `size` (−1: to the end); ∂L/∂x = g padded with zeros back to x's shape. */
export function slice(a: VarLike, begin: readonly number[], size?: readonly number[]): Var {
  const x = toVar(a);
  const value = core.slice(x.value, begin, size);
  const start = x.shape.map((_, d) => begin[d] ?? 0);
  return record("slice", value, [x], (g) => [pad(g, start, x.shape)], { begin: start, size: value.shape });
}
