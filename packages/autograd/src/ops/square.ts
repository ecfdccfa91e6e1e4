import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { mul } from "./mul.js";

/** y = x²; ∂L/∂x = 2x·g. */
export function square(a: VarLike): Var {
  const x = toVar(a);
  return record("square", core.square(x.value), [x], (g) => [mul(g, mul(x, 2))]);
}
