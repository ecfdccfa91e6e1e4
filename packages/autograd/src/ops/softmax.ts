import * as core from "@slope/core";
import { type Var, type VarLike, toVar } from "../var.js";
import { exp } from "./exp.js";
import { log } from "./log.js";
import { sub } from "./sub.js";
import { sum } from "./sum.js";

/**
 * log softmax(x) along `axis`: x − m − log Σ e^{x−m}, with m = max x held constant (it cancels
 * exactly, so no gradient is lost). Composed from differentiable ops: any order of derivative works.
 */
export function logSoftmax(a: VarLike, axis = -1): Var {
  const x = toVar(a);
  const shift = core.max(x.value, axis, true);
  const shifted = sub(x, shift);
  return sub(shifted, log(sum(exp(shifted), axis, true)));
}

/** softmax(x)ᵢ = e^{xᵢ} / Σⱼ e^{xⱼ} along `axis`, computed stably as exp(logSoftmax(x)). */
export function softmax(a: VarLike, axis = -1): Var {
  return exp(logSoftmax(a, axis));
}
