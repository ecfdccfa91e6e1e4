import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { mul } from "./mul.js";

/** y = max(0, x); ∂L/∂x = g·1(x > 0). */
export function relu(a: VarLike): Var {
  const x = toVar(a);
  return record("relu", core.relu(x.value), [x], (g) => [mul(g, core.step(x.value))]);
}
