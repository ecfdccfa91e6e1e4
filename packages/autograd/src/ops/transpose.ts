import * as core from "@slope/core";
import * as internal from "@slope/core/internal";
import { type Var, type VarLike, record, toVar } from "../var.js";

/** y = x with axes permuted by `perm` (reversed by default); ∂L/∂x = g permuted by the inverse permutation. */
export function transpose(a: VarLike, perm?: readonly number[]): Var {
  const x = toVar(a);
  if (perm !== undefined) internal.checkList(perm, "transpose", "perm");
  const order = (perm ?? x.shape.map((_, i) => x.shape.length - 1 - i)).map((p) =>
    core.normalizeAxis(p, x.shape.length, "transpose"),
  );
  const inverse = new Array<number>(order.length);
  order.forEach((p, i) => {
    inverse[p] = i;
  });
  return record("transpose", core.transpose(x.value, order), [x], (g) => [transpose(g, inverse)], { perm: order });
}
