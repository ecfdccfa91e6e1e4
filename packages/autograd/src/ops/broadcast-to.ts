import * as core from "@slope/core";
import { type Var, record } from "../var.js";
import { sumTo } from "./sum-to.js";

/** y = x repeated along broadcast dimensions to `shape`; ∂L/∂x = sumTo(g, x.shape). */
export function broadcastTo(x: Var, shape: readonly number[]): Var {
  core.checkShape(shape, "broadcastTo");
  if (core.sameShape(x.shape, shape)) return x;
  return record("broadcastTo", core.broadcastTo(x.value, shape), [x], (g) => [sumTo(g, x.shape)], { shape });
}
