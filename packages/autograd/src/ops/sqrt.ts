import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { div } from "./div.js";
import { mul } from "./mul.js";

/** y = √x; ∂L/∂x = g / (2√x) = g / (2y). */
export function sqrt(a: VarLike): Var {
  const x = toVar(a);
  return record("sqrt", core.sqrt(x.value), [x], (g, y) => [div(g, mul(y, 2))]);
}
