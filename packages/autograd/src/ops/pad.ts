import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { slice } from "./slice.js";

/** y = x placed at `begin` inside zeros of `shape`; ∂L/∂x = the block of g where x sits. */
export function pad(a: VarLike, begin: readonly number[], shape: readonly number[]): Var {
  const x = toVar(a);
  return record("pad", core.pad(x.value, begin, shape), [x], (g) => [slice(g, begin, x.shape)], { begin, shape });
}
