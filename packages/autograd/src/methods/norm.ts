import { type NormOptions, norm } from "../ops/norm.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** The vector p-norm, 2 by default (ops/norm.ts). */
    norm(options?: NormOptions): Var;
  }
}

installMethod("norm", function (options) {
  return norm(this, options);
});
