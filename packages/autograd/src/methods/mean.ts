import type { Axis } from "@slope/core";
import { mean } from "../ops/mean.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** The mean over `axis`, every axis when omitted (ops/mean.ts). */
    mean(axis?: Axis, keepDims?: boolean): Var;
  }
}

installMethod("mean", function (axis, keepDims) {
  return mean(this, axis, keepDims);
});
