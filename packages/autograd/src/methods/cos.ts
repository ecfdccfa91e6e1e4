import { cos } from "../ops/sin-cos.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** cos x elementwise (ops/cos.ts). */
    cos(): Var;
  }
}

installMethod("cos", function () {
  return cos(this);
});
