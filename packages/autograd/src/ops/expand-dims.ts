import * as core from "@slope/core";
import { type Var, type VarLike, toVar } from "../var.js";
import { reshape } from "./reshape.js";

/** y = x with an axis of size 1 inserted at `axis`: a reshape, so ∂L/∂x is g reshaped back. */
export function expandDims(a: VarLike, axis: number): Var {
  const x = toVar(a);
  return reshape(x, core.expandDims(x.value, axis).shape);
}

/** y = x without axes of size 1 (all, or those listed): a reshape, so ∂L/∂x is g reshaped back. */
export function squeeze(a: VarLike, axis?: number | readonly number[]): Var {
  const x = toVar(a);
  return reshape(x, core.squeeze(x.value, axis).shape);
}
