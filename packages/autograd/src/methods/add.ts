import { add } from "../ops/add.js";
import { type VarLike, installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** this + other, with broadcasting (ops/add.ts). */
    add(other: VarLike): Var;
  }
}

installMethod("add", function (other) {
  return add(this, other);
});
