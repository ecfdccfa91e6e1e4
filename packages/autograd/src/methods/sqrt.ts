import { sqrt } from "../ops/sqrt.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** √x elementwise (ops/sqrt.ts). */
    sqrt(): Var;
  }
}

installMethod("sqrt", function () {
  return sqrt(this);
});
