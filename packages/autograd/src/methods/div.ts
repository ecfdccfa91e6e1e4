import { div } from "../ops/div.js";
import { type VarLike, installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** this / other elementwise, with broadcasting (ops/div.ts). */
    div(other: VarLike): Var;
  }
}

installMethod("div", function (other) {
  return div(this, other);
});
