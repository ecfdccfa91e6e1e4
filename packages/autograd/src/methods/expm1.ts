import { expm1 } from "../ops/expm1.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** eˣ − 1 elementwise, accurate for tiny x (ops/expm1.ts). */
    expm1(): Var;
  }
}

installMethod("expm1", function () {
  return expm1(this);
});
