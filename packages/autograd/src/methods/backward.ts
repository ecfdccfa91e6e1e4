import type { Tensor } from "@slope/core";
import { type BackwardOptions, backward } from "../backward.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /**
     * Accumulates ∂this/∂p into p.grad for every parameter p this depends on. A non-scalar output
     * needs a `seed` of its shape (the vector in the vector-Jacobian product).
     */
    backward(seed?: Tensor, options?: BackwardOptions): void;
  }
}

installMethod("backward", function (seed, options) {
  backward(this, seed, options);
});
