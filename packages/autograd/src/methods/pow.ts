import { pow } from "../ops/pow.js";
import { type VarLike, installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** this to the power `exponent` elementwise, with broadcasting (ops/pow.ts). */
    pow(exponent: VarLike): Var;
  }
}

installMethod("pow", function (exponent) {
  return pow(this, exponent);
});
