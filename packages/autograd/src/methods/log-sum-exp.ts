import type { Axis } from "@slope/core";
import { logSumExp } from "../ops/log-sum-exp.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** log Σ eˣ over `axis`, every axis when omitted, computed stably (ops/log-sum-exp.ts). */
    logSumExp(axis?: Axis, keepDims?: boolean): Var;
  }
}

installMethod("logSumExp", function (axis, keepDims) {
  return logSumExp(this, axis, keepDims);
});
