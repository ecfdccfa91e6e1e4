import { erf } from "../ops/erf.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** The error function elementwise (ops/erf.ts). */
    erf(): Var;
  }
}

installMethod("erf", function () {
  return erf(this);
});
