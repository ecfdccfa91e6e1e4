import { relu } from "../ops/relu.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** max(0, x) elementwise (ops/relu.ts). */
    relu(): Var;
  }
}

installMethod("relu", function () {
  return relu(this);
});
