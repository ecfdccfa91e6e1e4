import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { mul } from "./mul.js";
import { square } from "./square.js";
import { sub } from "./sub.js";

/**
 * y = tanh x; ∂L/∂x = g·(1 − y²), with y the output node, not a constant copy of its value: that
 * keeps the gradient differentiable (d²/dx² tanh = −2y(1 − y²)), where TensorFlow.js goes wrong.
 */
export function tanh(a: VarLike): Var {
  const x = toVar(a);
  return record("tanh", core.tanh(x.value), [x], (g, y) => [mul(g, sub(1, square(y)))]);
}
