import { exp } from "../ops/exp.js";
import { type Var, installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** eˣ elementwise (ops/exp.ts). */
    exp(): Var;
  }
}

installMethod("exp", function () {
  return exp(this);
});
