import { log1p } from "../ops/log1p.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** ln(1 + x) elementwise, accurate for tiny x (ops/log1p.ts). */
    log1p(): Var;
  }
}

installMethod("log1p", function () {
  return log1p(this);
});
