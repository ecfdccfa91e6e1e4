import { IndexError, ShapeError, Tensor, ValueError, formatShape, sizeOf, zeros } from "@slope/core";
import { Var, div, reshape, sum, transpose } from "@slope/autograd";
import type { Reduction } from "./reduction.js";

/** Class indices, one per item: a plain or typed array, or an integer-valued Tensor (or Var) of the items' shape. */
export type ClassIndices = ArrayLike<number> | Tensor | Var;

/** A [N, C] or [N, C, d1, ...] input (or one unbatched [C] row) laid out as rows of classes. */
export interface ClassRows {
  /** [M, C]: the class axis moved last, every other axis flattened (M = N·d1·…). */
  rows: Var;
  /** The shape of the per-item losses: the input's without the class axis ([N, d1, ...], or [] for [C]). */
  itemShape: number[];
  /** C, the number of classes. */
  classes: number;
}

/** Moves the class axis (axis 1, or 0 for a single [C] row) last and flattens the rest: [M, C]. */
export function classRows(x: Var, where: string): ClassRows {
  const shape = x.shape;
  const [first, second] = shape;
  if (first === undefined) throw new ShapeError(`${where}: input must be [N, C], [N, C, d1, ...] or [C], got a scalar`);
  if (second === undefined) return { rows: reshape(x, [1, first]), itemShape: [], classes: first };
  const classes = second;
  const itemShape = [first, ...shape.slice(2)];
  const moved = shape.length === 2 ? x : transpose(x, [0, ...shape.slice(2).map((_, i) => i + 2), 1]);
  return { rows: reshape(moved, [sizeOf(itemShape), classes]), itemShape, classes };
}

/** Class-index targets turned into what the losses gather and weigh with. */
export interface ClassIndexTargets {
  /** Flat positions i·C + yᵢ of each item's target in the [M, C] rows (i·C for an ignored item). */
  positions: Int32Array;
  /** [M], 1 where the item counts and 0 where its target is `ignoreIndex`. */
  valid: Tensor;
  /** [M], weight[yᵢ] (1 without a weight) where the item counts, 0 where it is ignored. */
  itemWeight: Tensor;
  /** Σᵢ itemWeight: the divisor of "mean" (the number of counted items without a weight). */
  totalWeight: number;
}

/**
 * The one pass over the labels: checks that there is one per item, each an integer in [0, C) or
 * `ignoreIndex`, and builds the positions to gather and each item's weight.
 */
export function classIndexTargets(
  target: ClassIndices,
  rows: ClassRows,
  ignoreIndex: number,
  weight: Tensor | null,
  where: string,
): ClassIndexTargets {
  const { itemShape, classes } = rows;
  const m = sizeOf(itemShape);
  let labels: ArrayLike<number>;
  if (target instanceof Tensor || target instanceof Var) {
    const t = target instanceof Var ? target.value : target;
    const fits = t.shape.length === itemShape.length && t.shape.every((d, i) => d === itemShape[i]);
    if (!fits) {
      throw new ShapeError(
        `${where}: class-index target must have shape ${formatShape(itemShape)} ` +
          `(the input's without the class axis), got ${formatShape(t.shape)}`,
      );
    }
    labels = t.data;
  } else if (target !== null && typeof target === "object" && typeof target.length === "number") {
    if (target.length !== m) {
      const items = formatShape(itemShape);
      throw new ShapeError(`${where}: expected ${m} class indices (one per item of ${items}), got ${target.length}`);
    }
    labels = target;
  } else {
    throw new ValueError(
      `${where}: target must be class indices (an array or Tensor) or class probabilities, got ${typeof target}`,
    );
  }
  const dtype = rows.rows.dtype;
  const positions = new Int32Array(m);
  const valid = zeros([m], { dtype });
  const itemWeight = zeros([m], { dtype });
  let totalWeight = 0;
  for (let i = 0; i < m; i++) {
    const y = labels[i]!;
    positions[i] = i * classes;
    if (y === ignoreIndex) continue;
    if (!Number.isInteger(y)) throw new ValueError(`${where}: class index ${y} at position ${i} is not an integer`);
    if (y < 0 || y >= classes) {
      throw new IndexError(
        `${where}: target ${y} at position ${i} is out of bounds: ` +
          `expected a class in [0, ${classes}) or ignoreIndex ${ignoreIndex}`,
      );
    }
    positions[i] = i * classes + y;
    valid.data[i] = 1;
    itemWeight.data[i] = weight === null ? 1 : weight.data[y]!;
    totalWeight += itemWeight.data[i]!;
  }
  return { positions, valid, itemWeight, totalWeight };
}

/**
 * Reduces per-item losses of class-index targets: "none" → shaped like the items, "sum" → Σ ℓ,
 * "mean" → Σ ℓ / Σᵢ w[yᵢ] over the items that are not ignored (PyTorch's rule; NaN when none count).
 */
export function reduceClassLosses(losses: Var, reduction: Reduction, rows: ClassRows, totalWeight: number): Var {
  if (reduction === "none") return reshape(losses, rows.itemShape);
  if (reduction === "sum") return sum(losses);
  return div(sum(losses), totalWeight);
}
