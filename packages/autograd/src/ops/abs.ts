import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { mul } from "./mul.js";

/** y = |x|; ∂L/∂x = g·sign(x) (0 at the kink x = 0, a valid subgradient). */
export function abs(a: VarLike): Var {
  const x = toVar(a);
  return record("abs", core.abs(x.value), [x], (g) => [mul(g, core.sign(x.value))]);
}
