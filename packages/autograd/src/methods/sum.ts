import type { Axis } from "@slope/core";
import { sum } from "../ops/sum.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** Σ x over `axis`, every axis when omitted (ops/sum.ts). */
    sum(axis?: Axis, keepDims?: boolean): Var;
  }
}

installMethod("sum", function (axis, keepDims) {
  return sum(this, axis, keepDims);
});
