import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";

/** y = −x; ∂L/∂x = −g. */
export function neg(a: VarLike): Var {
  const x = toVar(a);
  return record("neg", core.neg(x.value), [x], (g) => [neg(g)]);
}
