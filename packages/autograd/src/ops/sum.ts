import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { broadcastTo } from "./sum-to.js";
import { reshape } from "./reshape.js";

/** The shape of a reduction of `shape` over `axis` with keepDims: the reduced axes become 1. */
export function keptShape(shape: readonly number[], axis: core.Axis, where: string): number[] {
  const axes = core.normalizeAxes(axis, shape.length, where);
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** y = Σ x over `axis` (every axis when omitted); ∂L/∂x = g broadcast back over the summed axes. */
export function sum(a: VarLike, axis?: core.Axis, keepDims = false): Var {
  const x = toVar(a);
  const kept = keptShape(x.shape, axis, "sum");
  return record("sum", core.sum(x.value, axis, keepDims), [x], (g) => [broadcastTo(reshape(g, kept), x.shape)], {
    axis,
    keepDims,
  });
}
