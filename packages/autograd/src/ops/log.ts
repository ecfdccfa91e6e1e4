import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { div } from "./div.js";

/** y = ln x; ∂L/∂x = g / x. */
export function log(a: VarLike): Var {
  const x = toVar(a);
  return record("log", core.log(x.value), [x], (g) => [div(g, x)]);
}
