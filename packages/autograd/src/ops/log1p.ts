import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { add } from "./add.js";
import { div } from "./div.js";

/** y = ln(1 + x), accurate for tiny x; ∂L/∂x = g / (1 + x). */
export function log1p(a: VarLike): Var {
  const x = toVar(a);
  return record("log1p", core.log1p(x.value), [x], (g) => [div(g, add(x, 1))]);
}
