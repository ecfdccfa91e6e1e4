import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { mul } from "./mul.js";
import { neg } from "./neg.js";

/** y = 1/x; ∂L/∂x = −g/x² = −g·y², y the output node (so it differentiates again). */
export function reciprocal(a: VarLike): Var {
  const x = toVar(a);
  return record("reciprocal", core.reciprocal(x.value), [x], (g, y) => [neg(mul(g, mul(y, y)))]);
}
