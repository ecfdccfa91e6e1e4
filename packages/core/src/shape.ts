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

/** The most elements one tensor may have: what a JavaScript typed array can hold (2³², V8's limit). */
export const MAX_TENSOR_SIZE = 2 ** 32;

/**
 * Throws a ShapeError unless every dimension is a non-negative safe integer and the shape has at most
 * MAX_TENSOR_SIZE elements (a larger shape cannot be stored: the message names `where` and the shape).
 */
export function checkShape(shape: readonly number[], where: string): number[] {
  if (!Array.isArray(shape)) throw new ShapeError(`${where}: shape must be an array of sizes, got ${String(shape)}`);
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new ShapeError(`${where}: every dimension must be a non-negative integer, got ${formatShape(shape)}`);
    }
  }
  const size = sizeOf(shape);
  if (size > MAX_TENSOR_SIZE) {
    throw new ShapeError(
      `${where}: shape ${formatShape(shape)} has ${size} elements, more than the ${MAX_TENSOR_SIZE} ` +
        `a tensor can hold`,
    );
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
      throw new ShapeError(
        `${where}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast (dimension ${i}: ${da} vs ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  if (sizeOf(out) > MAX_TENSOR_SIZE) {
    throw new ShapeError(
      `${where}: shapes ${formatShape(a)} and ${formatShape(b)} broadcast to ${formatShape(out)}, ` +
        `more than the ${MAX_TENSOR_SIZE} elements a tensor can hold`,
    );
  }
  return out;
}

/** Throws a ShapeError unless `list` is an array of numbers (a shape, a permutation, begin or size of a slice). */
export function checkList(list: unknown, where: string, what: string): readonly number[] {
  if (!Array.isArray(list) || !list.every((v) => typeof v === "number")) {
    const got = list === null ? "null" : Array.isArray(list) ? `[${list.map(String).join(", ")}]` : typeof list;
    throw new ShapeError(`${where}: ${what} must be an array of numbers, got ${got}`);
  }
  return list;
}

/** Turns a possibly negative axis into one in [0, rank). */
export function normalizeAxis(axis: number, rank: number, where: string): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new IndexError(
      `${where}: axis ${axis} is out of range for a tensor of rank ${rank} (expected ${-rank} to ${rank - 1})`,
    );
  }
  return axis < 0 ? axis + rank : axis;
}

/** Normalises an axis, a list of axes or undefined (all axes) to a sorted list without repeats. */
export function normalizeAxes(axis: number | readonly number[] | undefined, rank: number, where: string): number[] {
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  if (typeof axis !== "number" && !Array.isArray(axis)) {
    const got = axis === null ? "null" : typeof axis;
    throw new IndexError(`${where}: axis must be a number, a list of numbers or undefined, got ${got}`);
  }
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
