import { logSoftmax } from "../ops/softmax.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** log softmax(x) along `axis`, the last by default, computed stably (ops/softmax.ts). */
    logSoftmax(axis?: number): Var;
  }
}

installMethod("logSoftmax", function (axis) {
  return logSoftmax(this, axis);
});
