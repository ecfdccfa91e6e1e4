import type { Axis } from "@slope/core";
import { type VarianceOptions, std } from "../ops/variance.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** The standard deviation √variance over `axis` (ops/variance.ts). */
    std(axis?: Axis, options?: VarianceOptions): Var;
  }
}

installMethod("std", function (axis, options) {
  return std(this, axis, options);
});
