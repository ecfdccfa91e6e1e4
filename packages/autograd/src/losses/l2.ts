import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { mul } from "../ops/mul.js";

/**
 * The L2 penalty R(W) = Σ W² (no ½), so the full loss is data + reg·l2(W); ∂R/∂W = 2W, times the
 * incoming scalar g as W·(2g): one pass over W rather than two (2g is exact, so the bits are g·2W's).
 */
export function l2(weights: VarLike): Var {
  const W = toVar(weights);
  const total = core.sum(core.square(W.value)).item();
  return record("l2", core.scalar(total, W.dtype), [W], (g) => [mul(W, mul(g, 2))]);
}
