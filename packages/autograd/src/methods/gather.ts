import { gather } from "../ops/gather.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** The rows picked by `indices` (ops/gather.ts). */
    gather(indices: ArrayLike<number>): Var;
  }
}

installMethod("gather", function (indices) {
  return gather(this, indices);
});
