import type { Axis } from "@slope/core";
import { max } from "../ops/max.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** The largest element over `axis`, every axis when omitted (ops/max.ts). */
    max(axis?: Axis, keepDims?: boolean): Var;
  }
}

installMethod("max", function (axis, keepDims) {
  return max(this, axis, keepDims);
});
