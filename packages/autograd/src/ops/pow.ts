import * as core from "@slope/core";
import { type Var, type VarLike, record, toVars } from "../var.js";
import { log } from "./log.js";
import { mul } from "./mul.js";
import { sub } from "./sub.js";
import { sumTo } from "./sum-to.js";

/** y = aᵇ elementwise (broadcasting); ∂L/∂a = sumTo(g·b·aᵇ⁻¹), ∂L/∂b = sumTo(g·y·ln a). */
export function pow(a: VarLike, b: VarLike): Var {
  const [x, p] = toVars(a, b) as [Var, Var];
  return record("pow", core.pow(x.value, p.value), [x, p], (g, y, needs) => [
    needs[0] ? sumTo(mul(g, mul(p, pow(x, sub(p, 1)))), x.shape) : null,
    needs[1] ? sumTo(mul(g, mul(y, log(x))), p.shape) : null,
  ]);
}
