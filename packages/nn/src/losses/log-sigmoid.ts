import * as core from "@slope/core";
import { type Var, type VarLike, mul, neg, record, sigmoid, toVar } from "@slope/autograd";

/**
 * log σ(x) = −log(1 + e^{−x}), computed as min(x, 0) − log1p(e^{−|x|}): e^{−|x|} ≤ 1 never
 * overflows, and log1p keeps its full precision when e^{−|x|} is tiny, so the result is exact at
 * |x| = 1e4 (0 or x) and accurate in between. Gradient: ∂/∂x log σ(x) = 1 − σ(x) = σ(−x), smooth
 * everywhere (also at x = 0, where the two-piece forward has its seam) and written with
 * differentiable ops, so higher derivatives work.
 */
export function logSigmoid(a: VarLike): Var {
  const x = toVar(a);
  const value = core.sub(core.minimum(x.value, 0), core.log1p(core.exp(core.neg(core.abs(x.value)))));
  return record("logSigmoid", value, [x], (g) => [mul(g, sigmoid(neg(x)))]);
}
