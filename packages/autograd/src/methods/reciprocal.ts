import { reciprocal } from "../ops/reciprocal.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** 1/x elementwise (ops/reciprocal.ts). */
    reciprocal(): Var;
  }
}

installMethod("reciprocal", function () {
  return reciprocal(this);
});
