import { square } from "../ops/square.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** x² elementwise (ops/square.ts). */
    square(): Var;
  }
}

installMethod("square", function () {
  return square(this);
});
