import * as core from "@slope/core";
import * as internal from "@slope/core/internal";
import { type Var, record } from "../var.js";

// sumTo and broadcastTo are each other's adjoint, so each one's vector-Jacobian product calls the other op: they
// share this file rather than two files that import each other.

/**
 * y = Σ of x over the dimensions that broadcasting added to reach x.shape from `shape`.
 * dy/dx: each x element feeds exactly one y element, so ∂L/∂x = broadcastTo(g, x.shape).
 * This is how every broadcasting op returns gradients to an input of a smaller shape.
 */
export function sumTo(x: Var, shape: readonly number[]): Var {
  internal.checkShape(shape, "sumTo");
  if (core.sameShape(x.shape, shape)) return x;
  return record("sumTo", core.sumTo(x.value, shape), [x], (g) => [broadcastTo(g, x.shape)], { shape });
}

/** y = x repeated along broadcast dimensions to `shape`; ∂L/∂x = sumTo(g, x.shape). */
export function broadcastTo(x: Var, shape: readonly number[]): Var {
  internal.checkShape(shape, "broadcastTo");
  if (core.sameShape(x.shape, shape)) return x;
  return record("broadcastTo", core.broadcastTo(x.value, shape), [x], (g) => [sumTo(g, x.shape)], { shape });
}
