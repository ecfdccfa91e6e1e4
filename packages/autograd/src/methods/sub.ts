import { sub } from "../ops/sub.js";
import { type VarLike, installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** this − other, with broadcasting (ops/sub.ts). */
    sub(other: VarLike): Var;
  }
}

installMethod("sub", function (other) {
  return sub(this, other);
});
