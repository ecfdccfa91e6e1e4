import * as core from "@slope/core";
import { type Var, type VarLike, record, toVars } from "../var.js";
import { sumTo } from "./sum-to.js";

/** y = a + b (broadcasting); ∂L/∂a = sumTo(g), ∂L/∂b = sumTo(g). */
export function add(a: VarLike, b: VarLike): Var {
  const [x, y] = toVars(a, b) as [Var, Var];
  return record("add", core.add(x.value, y.value), [x, y], (g, _, needs) => [
    needs[0] ? sumTo(g, x.shape) : null,
    needs[1] ? sumTo(g, y.shape) : null,
  ]);
}
