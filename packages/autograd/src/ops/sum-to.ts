import * as core from "@slope/core";
import { type Var, record } from "../var.js";
import { broadcastTo } from "./broadcast-to.js";

/**
 * y = Σ of x over the dimensions that broadcasting added to reach x.shape from `shape`.
 * dy/dx: each x element feeds exactly one y element, so ∂L/∂x = broadcastTo(g, x.shape).
 * This is how every broadcasting op returns gradients to an input of a smaller shape.
 */
export function sumTo(x: Var, shape: readonly number[]): Var {
  core.checkShape(shape, "sumTo");
  if (core.sameShape(x.shape, shape)) return x;
  return record("sumTo", core.sumTo(x.value, shape), [x], (g) => [broadcastTo(g, x.shape)], { shape });
}
