import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { mul } from "./mul.js";
import { sub } from "./sub.js";

/** y = σ(x) = 1/(1 + e⁻ˣ); ∂L/∂x = g·y·(1 − y), y the output node (so second derivatives are right). */
export function sigmoid(a: VarLike): Var {
  const x = toVar(a);
  return record("sigmoid", core.sigmoid(x.value), [x], (g, y) => [mul(g, mul(y, sub(1, y)))]);
}
