import { softmax } from "../ops/softmax.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** e^{xᵢ} / Σⱼ e^{xⱼ} along `axis`, the last by default (ops/softmax.ts). */
    softmax(axis?: number): Var;
  }
}

installMethod("softmax", function (axis) {
  return softmax(this, axis);
});
