import { mul } from "../ops/mul.js";
import { type VarLike, installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** this·other elementwise, with broadcasting (ops/mul.ts). */
    mul(other: VarLike): Var;
  }
}

installMethod("mul", function (other) {
  return mul(this, other);
});
