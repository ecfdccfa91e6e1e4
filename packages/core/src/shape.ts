import { IndexError, ShapeError, ValueError, formatShape } from "./errors.js";

/** Number of elements of a shape: the product of its dimensions (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/** Row-major strides: stride[i] = Π shape[i+1..]. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= shape[i]!;
  }
  return strides;
}

/** Throws unless every dimension is a non-negative integer. */
export function checkShape(shape: readonly number[], where: string): number[] {
  if (!Array.isArray(shape)) throw new ShapeError(`${where}: shape must be an array of sizes, got ${String(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${where}: every dimension must be a non-negative integer, got ${formatShape(shape)}`);
    }
  }
  return [...shape];
}

/**
 * numpy broadcasting: align shapes on the right; each pair of dimensions must be equal or one of
 * them 1, and the result takes the larger.
 */
export function broadcastShapes(a: readonly number[], b: readonly number[], where = "broadcast"): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${where}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast (dimension ${i}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Turns a possibly negative axis into one in [0, rank). */
export function normalizeAxis(axis: number, rank: number, where: string): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new IndexError(`${where}: axis ${axis} is out of range for a tensor of rank ${rank} (expected ${-rank} to ${rank - 1})`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Normalises an axis, a list of axes or undefined (all axes) to a sorted list without repeats. */
export function normalizeAxes(axis: number | readonly number[] | undefined, rank: number, where: string): number[] {
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : axis;
  const axes = list.map((a) => normalizeAxis(a, rank, where));
  const unique = [...new Set(axes)].sort((x, y) => x - y);
  if (unique.length !== axes.length) throw new ValueError(`${where}: repeated axis in [${list.join(", ")}]`);
  return unique;
}

/** Two shapes are the same list of dimensions. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The multi-index of flat position `flat` in a row-major tensor of `shape`. */
export function unravelIndex(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return index;
}
