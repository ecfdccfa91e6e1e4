import type { Axis } from "@slope/core";
import { type VarianceOptions, variance } from "../ops/variance.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** The variance over `axis`, every axis when omitted, unbiased by default (ops/variance.ts). */
    variance(axis?: Axis, options?: VarianceOptions): Var;
  }
}

installMethod("variance", function (axis, options) {
  return variance(this, axis, options);
});
