import { transpose } from "../ops/transpose.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** The axes permuted by `perm`, reversed when omitted (ops/transpose.ts). */
    transpose(perm?: readonly number[]): Var;
  }
}

installMethod("transpose", function (perm) {
  return transpose(this, perm);
});
