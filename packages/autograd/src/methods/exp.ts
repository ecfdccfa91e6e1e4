import { exp } from "../ops/exp.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** eˣ elementwise (ops/exp.ts). */
    exp(): Var;
  }
}

installMethod("exp", function () {
  return exp(this);
});
