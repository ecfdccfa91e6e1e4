import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { add } from "./add.js";
import { mul } from "./mul.js";

/** y = eˣ − 1, accurate for tiny x; ∂L/∂x = g·eˣ = g·(y + 1), y the output node (so d²/dx² works). */
export function expm1(a: VarLike): Var {
  const x = toVar(a);
  return record("expm1", core.expm1(x.value), [x], (g, y) => [mul(g, add(y, 1))]);
}
