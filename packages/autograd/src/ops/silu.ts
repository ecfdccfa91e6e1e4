import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { add } from "./add.js";
import { mul } from "./mul.js";
import { sigmoid } from "./sigmoid.js";
import { sub } from "./sub.js";

/** y = x·σ(x) (SiLU, "swish"); ∂L/∂x = g·σ(x)·(1 + x·(1 − σ(x))). */
export function silu(a: VarLike): Var {
  const x = toVar(a);
  return record("silu", core.mul(x.value, core.sigmoid(x.value)), [x], (g) => {
    const s = sigmoid(x);
    return [mul(g, mul(s, add(mul(x, sub(1, s)), 1)))];
  });
}
