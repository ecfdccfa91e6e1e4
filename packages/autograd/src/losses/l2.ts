import * as core from "@slope/core";
import * as internal from "@slope/core/internal";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { mul } from "../ops/mul.js";

/**
 * The L2 penalty R(W) = Σ W² (no ½), so the full loss is data + reg·l2(W); ∂R/∂W = 2W, times the
 * incoming scalar g as W·(2g): one pass over W rather than two (2g is exact, so the bits are g·2W's).
 */
export function l2(weights: VarLike): Var {
  const W = toVar(weights);
  // One pass, no W²-sized temporary; each square and the sum in double precision.
  const total = internal.kernels().sumOfSquares(W.value.data);
  return record("l2", core.scalar(total, W.dtype), [W], (g) => [mul(W, mul(g, 2))]);
}
