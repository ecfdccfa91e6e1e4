import { neg } from "../ops/neg.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** −this (ops/neg.ts). */
    neg(): Var;
  }
}

installMethod("neg", function () {
  return neg(this);
});
