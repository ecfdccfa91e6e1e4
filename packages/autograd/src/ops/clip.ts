import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { mul } from "./mul.js";

/** y = min(max(x, low), high); ∂L/∂x = g·1(low ≤ x ≤ high). */
export function clip(a: VarLike, low: number, high: number): Var {
  const x = toVar(a);
  const inside = () => core.mul(core.greaterEqual(x.value, low), core.lessEqual(x.value, high));
  return record("clip", core.clip(x.value, low, high), [x], (g) => [mul(g, inside())], { low, high });
}
