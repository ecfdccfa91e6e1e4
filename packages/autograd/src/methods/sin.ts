import { sin } from "../ops/sin-cos.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** sin x elementwise (ops/sin.ts). */
    sin(): Var;
  }
}

installMethod("sin", function () {
  return sin(this);
});
