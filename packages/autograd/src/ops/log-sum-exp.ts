import * as core from "@slope/core";
import { type Var, type VarLike, toVar } from "../var.js";
import { add } from "./add.js";
import { exp } from "./exp.js";
import { log } from "./log.js";
import { sub } from "./sub.js";
import { sum } from "./sum.js";

/**
 * y = log Σ eˣ over `axis` (every axis when omitted), computed as m + log Σ e^(x − m) with m = max x
 * held constant, so nothing overflows at |x| = 1e4; m cancels exactly, so no gradient is lost:
 * ∂L/∂x = g·softmax(x) along the axis. Where m is ±∞ the shift is 0 (as PyTorch does), so a row of
 * −∞ gives −∞ and a +∞ gives +∞, not NaN. Composed from differentiable ops: any order of derivative works.
 */
export function logSumExp(a: VarLike, axis?: core.Axis, keepDims = false): Var {
  const x = toVar(a);
  const max = core.max(x.value, axis, true);
  const shift = core.where(core.equal(core.abs(max), Infinity), 0, max);
  const total = sum(exp(sub(x, shift)), axis, keepDims);
  return add(log(total), core.reshape(shift, total.shape));
}
