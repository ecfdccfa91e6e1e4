import type * as core from "@slope/core";
import { type Var, type VarLike, toVar } from "../var.js";
import { div } from "./div.js";
import { sum } from "./sum.js";

/** y = Σ x / n over `axis`, n the number of elements summed; ∂L/∂x = g/n broadcast back. */
export function mean(a: VarLike, axis?: core.Axis, keepDims = false): Var {
  const x = toVar(a);
  const total = sum(x, axis, keepDims);
  return div(total, x.size / Math.max(total.size, 1));
}
