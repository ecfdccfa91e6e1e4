import * as core from "@slope/core";

/**
 * The relative error between two gradients: max |a − b| / max(|a| + |b|, tiny), the maxima over
 * all elements. Below 1e-7 means the analytic gradient is right (in float64, for smooth functions);
 * near a kink (hinge, ReLU) 1e-4 is fine; above 1e-2 something is wrong.
 */
export function relError(a: core.Tensor, b: core.Tensor): number {
  if (!(a instanceof core.Tensor) || !(b instanceof core.Tensor)) {
    const kind = (v: unknown) => (v === null ? "null" : typeof v);
    throw new core.ValueError(`relError: expected two Tensors, got ${kind(a)} and ${kind(b)}`);
  }
  if (!core.sameShape(a.shape, b.shape)) {
    throw new core.ShapeError(`relError: shapes differ: ${core.formatShape(a.shape)} vs ${core.formatShape(b.shape)}`);
  }
  let difference = 0;
  let scale = 0;
  for (let i = 0; i < a.size; i++) {
    const x = a.data[i]!,
      y = b.data[i]!;
    const d = Math.abs(x - y);
    if (d > difference || Number.isNaN(d)) difference = d;
    const s = Math.abs(x) + Math.abs(y);
    if (s > scale) scale = s;
  }
  return difference / Math.max(scale, Number.MIN_VALUE);
}
