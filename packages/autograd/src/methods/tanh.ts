import { tanh } from "../ops/tanh.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** tanh x elementwise (ops/tanh.ts). */
    tanh(): Var;
  }
}

installMethod("tanh", function () {
  return tanh(this);
});
