import { minimum } from "../ops/minimum.js";
import { type VarLike, installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** min(this, other) elementwise, with broadcasting (ops/minimum.ts). */
    minimum(other: VarLike): Var;
  }
}

installMethod("minimum", function (other) {
  return minimum(this, other);
});
