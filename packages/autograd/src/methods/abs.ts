import { abs } from "../ops/abs.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** |x| elementwise (ops/abs.ts). */
    abs(): Var;
  }
}

installMethod("abs", function () {
  return abs(this);
});
