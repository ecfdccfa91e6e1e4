import { slice } from "../ops/slice.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** The block at `begin` of extent `size` (ops/slice.ts). */
    slice(begin: readonly number[], size?: readonly number[]): Var;
  }
}

installMethod("slice", function (begin, size) {
  return slice(this, begin, size);
});
