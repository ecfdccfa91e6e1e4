import { ShapeError, formatShape } from "@slope/core";
import type { Var } from "@slope/autograd";

/**
 * The input checks layers share: each throws a ShapeError that names the layer, what it expects
 * and the shape that came.
 */

/** Throws unless `x` has one of `ranks` dimensions; `layout` says what they mean (as "[N, C, H, W]"). */
export function checkRank(layer: string, x: Var, ranks: readonly number[], layout: string): void {
  if (!ranks.includes(x.shape.length)) {
    const expected = `a ${ranks.join("-D or ")}-D input ${layout}`;
    throw new ShapeError(`${layer}: expected ${expected}, got shape ${formatShape(x.shape)}`);
  }
}

/** Throws unless dimension `axis` of `x` is `expected` (the channels or features the layer was built for). */
export function checkDim(layer: string, x: Var, axis: number, expected: number, what: string, layout: string): void {
  const dim = x.shape[axis < 0 ? x.shape.length + axis : axis];
  if (dim !== expected) {
    throw new ShapeError(
      `${layer}: expected an input ${layout} with ${what} = ${expected}, ` +
        `got shape ${formatShape(x.shape)} (${dim ?? "no"} ${what})`,
    );
  }
}
