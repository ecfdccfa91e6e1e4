import { log } from "../ops/log.js";
import { installMethod } from "../var.js";

declare module "../var.js" {
  interface Var {
    /** ln x elementwise (ops/log.ts). */
    log(): Var;
  }
}

installMethod("log", function () {
  return log(this);
});
