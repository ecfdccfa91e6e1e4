import type { Axis } from "@slope/core";
import { min } from "../ops/max.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** The smallest element over `axis`, every axis when omitted (ops/max.ts). */
    min(axis?: Axis, keepDims?: boolean): Var;
  }
}

installMethod("min", function (axis, keepDims) {
  return min(this, axis, keepDims);
});
