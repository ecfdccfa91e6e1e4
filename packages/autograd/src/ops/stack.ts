import * as core from "@slope/core";
import { type Var, type VarLike, toVars } from "../var.js";
import { concat } from "./concat.js";
import { expandDims } from "./expand-dims.js";

/**
 * y = the inputs (all of one shape) joined along a new axis `axis` (torch.stack): each gets an axis
 * of size 1 there and they are concatenated, so ∂L/∂xᵢ is the i-th slice of g along that axis.
 */
export function stack(parts: readonly VarLike[], axis = 0): Var {
  if (!Array.isArray(parts) || parts.length === 0) {
    throw new core.ValueError("stack: expected a non-empty array of tensors");
  }
  const xs = toVars(...parts);
  const shape = xs[0]!.shape;
  xs.forEach((x, i) => {
    if (!core.sameShape(x.shape, shape)) {
      const expected = core.formatShape(shape);
      const got = core.formatShape(x.shape);
      throw new core.ShapeError(`stack: expected every input of shape ${expected}, got ${got} at ${i}`);
    }
  });
  const a = core.normalizeAxis(axis, shape.length + 1, "stack");
  return concat(
    xs.map((x) => expandDims(x, a)),
    a,
  );
}
