import type { MatmulOptions } from "@slope/core";
import { matmul } from "../ops/matmul.js";
import { type VarLike, installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** The matrix product this·other, either side optionally transposed (ops/matmul.ts). */
    matmul(other: VarLike, options?: MatmulOptions): Var;
  }
}

installMethod("matmul", function (other, options) {
  return matmul(this, other, options);
});
