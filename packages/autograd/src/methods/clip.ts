import { clip } from "../ops/clip.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** min(max(x, low), high) elementwise (ops/clip.ts). */
    clip(low: number, high: number): Var;
  }
}

installMethod("clip", function (low, high) {
  return clip(this, low, high);
});
