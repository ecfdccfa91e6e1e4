import type { DType } from "@slope/core";
import { cast } from "../ops/cast.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** The values converted to `dtype` (ops/cast.ts). */
    cast(dtype: DType): Var;
  }
}

installMethod("cast", function (dtype) {
  return cast(this, dtype);
});
