import { sigmoid } from "../ops/sigmoid.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** σ(x) = 1/(1 + e⁻ˣ) elementwise (ops/sigmoid.ts). */
    sigmoid(): Var;
  }
}

installMethod("sigmoid", function () {
  return sigmoid(this);
});
