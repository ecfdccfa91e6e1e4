import { maximum } from "../ops/maximum.js";
import { type VarLike, installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** max(this, other) elementwise, with broadcasting (ops/maximum.ts). */
    maximum(other: VarLike): Var;
  }
}

installMethod("maximum", function (other) {
  return maximum(this, other);
});
