import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { mul } from "./mul.js";

/** y = eˣ; ∂L/∂x = g·eˣ = g·y (y the output node itself, so the second derivative is right too). */
export function exp(a: VarLike): Var {
  const x = toVar(a);
  return record("exp", core.exp(x.value), [x], (g, y) => [mul(g, y)]);
}
