import { reshape } from "../ops/reshape.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** The same values in a new shape, one −1 inferred (ops/reshape.ts). */
    reshape(shape: readonly number[]): Var;
  }
}

installMethod("reshape", function (shape) {
  return reshape(this, shape);
});
