import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { broadcastTo } from "./sum-to.js";
import { mul } from "./mul.js";
import { reshape } from "./reshape.js";
import { keptShape } from "./sum.js";

function extreme(op: "max" | "min", a: VarLike, axis: core.Axis, keepDims: boolean): Var {
  const x = toVar(a);
  const kept = keptShape(x.shape, axis, op);
  const value = (op === "max" ? core.max : core.min)(x.value, axis, keepDims);
  // The gradient is shared evenly among tied extremes: mask / count, a valid subgradient.
  return record(
    op,
    value,
    [x],
    (g) => {
      const hits = core.equal(x.value, core.reshape(value, kept));
      const share = core.div(hits, core.sumTo(hits, kept));
      return [mul(broadcastTo(reshape(g, kept), x.shape), share)];
    },
    { axis, keepDims },
  );
}

/** y = max x over `axis`; ∂L/∂x = g at the arg-max (split evenly among ties), 0 elsewhere. */
export function max(a: VarLike, axis?: core.Axis, keepDims = false): Var {
  return extreme("max", a, axis, keepDims);
}

/** y = min x over `axis`; ∂L/∂x = g at the arg-min (split evenly among ties), 0 elsewhere. */
export function min(a: VarLike, axis?: core.Axis, keepDims = false): Var {
  return extreme("min", a, axis, keepDims);
}
