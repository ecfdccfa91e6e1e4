import * as core from "@slope/core";
import * as internal from "@slope/core/internal";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { mul } from "./mul.js";

/**
 * Inverted dropout (torch.nn.functional.dropout): y = x·mask with mask = 1/(1 − p) where a Bernoulli(1 − p)
 * draw from `rng` keeps the element and 0 where it drops it, so E[y] = x and eval needs no rescaling.
 * ∂L/∂x = g·mask (differentiable to any order). p = 0 or `training: false` returns x itself (the same Var);
 * p = 1 returns x·0 without drawing; p outside [0, 1] is a ValueError. The same rng state gives the same mask.
 */
export function dropout(input: VarLike, p: number, rng: core.Rng, options: { training?: boolean } = {}): Var {
  const x = toVar(input);
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
    throw new core.ValueError(`dropout: p must be a probability in [0, 1], got ${p}`);
  }
  const { training = true } = internal.checkOptions(options, ["training"], "dropout");
  if (!training || p === 0) return x;
  if (p === 1) return mul(x, 0);
  const mask = internal.dropoutMask(x.shape, p, rng, x.dtype);
  return record("dropout", core.mul(x.value, mask), [x], (g) => [mul(g, mask)], { p });
}
