import { checkOptions } from "../options.js";
import { allocate } from "../buffers.js";
import { type DType, type FloatArray, checkDType } from "../dtype.js";
import { DTypeError, IndexError, ShapeError, ValueError, formatShape } from "../errors.js";
import { kernels } from "../kernels/index.js";
import { broadcastShapes, checkList, checkShape, normalizeAxis, sameShape, sizeOf, stridesOf } from "../shape.js";
import { Tensor, checkTensor } from "../tensor.js";
import { broadcastView, commonDType } from "./operands.js";
import { sum } from "./reduce.js";

/**
 * The same values in a new shape (row-major order is kept); one dimension may be −1 and is
 * inferred. Shares storage with `x`: no copy.
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor(x, "reshape");
  checkList(shape, "reshape", "shape");
  const inferred = shape.filter((d) => d === -1).length;
  if (inferred > 1) throw new ShapeError(`reshape: only one dimension can be -1, got ${formatShape(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < -1)
      throw new ShapeError(`reshape: dimensions must be non-negative integers or -1, got ${formatShape(shape)}`);
  }
  const known = sizeOf(shape.filter((d) => d !== -1));
  let target = [...shape];
  if (inferred === 1) {
    if (known === 0 || x.size % known !== 0) {
      throw new ShapeError(
        `reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) into ${formatShape(shape)}`,
      );
    }
    target = shape.map((d) => (d === -1 ? x.size / known : d));
  }
  if (sizeOf(target) !== x.size) {
    throw new ShapeError(
      `reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) into ${formatShape(shape)} (${sizeOf(target)} elements)`,
    );
  }
  return new Tensor(x.data, target);
}

/** Permutes the axes: out.shape[d] = x.shape[perm[d]]; the default reverses them (a matrix transpose). */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  checkTensor(x, "transpose");
  const order = perm === undefined ? x.shape.map((_, i) => x.rank - 1 - i) : checkList(perm, "transpose", "perm");
  const normalized = order.map((p) => normalizeAxis(p, x.rank, "transpose"));
  if (order.length !== x.rank || new Set(normalized).size !== x.rank) {
    throw new ShapeError(
      `transpose: expected a permutation of ${x.rank} axes for shape ${formatShape(x.shape)}, got [${order.join(", ")}]`,
    );
  }
  const out = allocate(x.dtype, x.size);
  kernels().transpose(out, x.data, x.shape, normalized);
  return new Tensor(
    out,
    normalized.map((p) => x.shape[p]!),
  );
}

/**
 * The block starting at `begin` with extent `size` along each axis (TensorFlow's slice). Missing
 * trailing axes are taken whole; a size of −1 runs to the end of that axis. A negative begin counts
 * from the end, as numpy's indices do (−1 is the last element); outside [−dim, dim] is an IndexError.
 */
export function slice(x: Tensor, begin: readonly number[], size?: readonly number[]): Tensor {
  checkTensor(x, "slice");
  checkList(begin, "slice", "begin");
  if (size !== undefined) checkList(size, "slice", "size");
  if (begin.length > x.rank || (size && size.length > x.rank)) {
    throw new ShapeError(`slice: begin/size have more entries than the rank ${x.rank} of ${formatShape(x.shape)}`);
  }
  const start: number[] = [];
  const extent: number[] = [];
  for (let d = 0; d < x.rank; d++) {
    const dim = x.shape[d]!;
    const given = begin[d] ?? 0;
    const b = given < 0 ? given + dim : given; // numpy's negative index: −1 is the last element
    const s = size?.[d] ?? -1;
    const e = s === -1 ? dim - b : s;
    if (!Number.isInteger(b) || !Number.isInteger(e) || b < 0 || e < 0 || b + e > dim) {
      throw new IndexError(
        `slice: begin ${given} with size ${s} is outside axis ${d} of size ${dim} in ${formatShape(x.shape)}`,
      );
    }
    start.push(b);
    extent.push(e);
  }
  const out = allocate(x.dtype, sizeOf(extent));
  if (out.length === 0) return new Tensor(out, extent);
  // Copy innermost rows: every index of the leading axes, one contiguous run of the last axis.
  const rank = x.rank;
  const rowLength = rank === 0 ? 1 : extent[rank - 1]!;
  const rows = out.length / rowLength;
  const counter = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  for (let r = 0; r < rows; r++) {
    let from = rank === 0 ? 0 : start[rank - 1]!;
    for (let d = 0; d < rank - 1; d++) from += (start[d]! + counter[d]!) * x.strides[d]!;
    out.set(x.data.subarray(from, from + rowLength), r * rowLength);
    for (let d = rank - 2; d >= 0; d--) {
      if (++counter[d]! < extent[d]!) break;
      counter[d] = 0;
    }
  }
  return new Tensor(out, extent);
}

/** Joins tensors along `axis`; every other dimension must agree. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0)
    throw new ValueError("concat: expected a non-empty array of tensors");
  tensors.forEach((t, i) => {
    checkTensor(t, "concat", `tensor ${i}`);
  });
  const dtype = commonDType("concat", ...tensors);
  const first = tensors[0]!;
  const a = normalizeAxis(axis, first.rank, "concat");
  for (const t of tensors) {
    if (t.rank !== first.rank || t.shape.some((d: number, i: number) => i !== a && d !== first.shape[i])) {
      throw new ShapeError(
        `concat: shapes ${tensors.map((x) => formatShape(x.shape)).join(", ")} differ outside axis ${a}`,
      );
    }
  }
  const shape = [...first.shape];
  shape[a] = tensors.reduce((s, t) => s + t.shape[a]!, 0);
  const out = allocate(dtype, sizeOf(shape));
  const outer = sizeOf(shape.slice(0, a));
  const outRow = sizeOf(shape.slice(a));
  let column = 0;
  for (const t of tensors) {
    const row = sizeOf(t.shape.slice(a));
    for (let o = 0; o < outer; o++) out.set(t.data.subarray(o * row, (o + 1) * row), o * outRow + column);
    column += row;
  }
  return new Tensor(out, shape);
}

/** Throws an IndexError naming the first index that is not a row of `shape` (an integer in [0, shape[0])). */
function checkRowIndices(where: string, indices: ArrayLike<number>, shape: readonly number[]): void {
  if (typeof indices !== "object" || indices === null || typeof indices.length !== "number") {
    const got = indices === null ? "null" : typeof indices;
    throw new ValueError(`${where}: indices must be an array or an integer typed array, got ${got}`);
  }
  const rows = shape[0]!;
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r]!;
    if (!Number.isInteger(i) || i < 0 || i >= rows) {
      throw new IndexError(
        `${where}: index ${i} at position ${r} is outside [0, ${rows}) for shape ${formatShape(shape)}`,
      );
    }
  }
}

/** Options of `gather`: a tensor of the result's shape and dtype to write into instead of a fresh one. */
export interface GatherOptions {
  /** The tensor to write the gathered rows into. */
  out?: Tensor;
}

/**
 * The tensor a row gather writes into: checks `indices` against the rows of a source of shape
 * `shape`, and `out` (when given) against the result's shape [indices.length, ...shape[1:]] and
 * `dtype`; returns `out`, or a fresh tensor of that shape. For sources of rows other than a tensor
 * (uint8 images made into features a batch at a time) that take `gather`'s `out` option.
 */
export function rowsOutput(
  where: string,
  shape: readonly number[],
  dtype: DType,
  indices: ArrayLike<number>,
  out?: Tensor,
): Tensor {
  if (shape.length === 0) throw new ShapeError(`${where}: cannot gather rows of a scalar`);
  checkRowIndices(where, indices, shape);
  const result = [indices.length, ...shape.slice(1)];
  if (!out) return new Tensor(allocate(dtype, sizeOf(result)), result);
  checkTensor(out, where, "out");
  if (out.dtype !== dtype) throw new DTypeError(`${where}: out is ${out.dtype}, expected ${dtype}`);
  if (!sameShape(out.shape, result))
    throw new ShapeError(`${where}: out has shape ${formatShape(out.shape)}, expected ${formatShape(result)}`);
  return out;
}

/**
 * Rows of `x` picked by `indices`: out[r] = x[indices[r]], shape [indices.length, ...x.shape[1:]].
 * This is how a mini-batch is taken; pass `out` to reuse one buffer for every batch.
 */
export function gather(x: Tensor, indices: ArrayLike<number>, options: GatherOptions = {}): Tensor {
  checkTensor(x, "gather");
  const out = rowsOutput("gather", x.shape, x.dtype, indices, checkOptions(options, ["out"], "gather").out);
  kernels().gatherRows(out.data, x.data, sizeOf(x.shape.slice(1)), indices);
  return out;
}

/** A copy of `x` converted to `dtype` (float64 → float32 rounds to nearest). */
export function cast(x: Tensor, dtype: DType): Tensor {
  checkTensor(x, "cast");
  const out: FloatArray = allocate(checkDType(dtype, "cast"), x.size);
  out.set(x.data);
  return new Tensor(out, x.shape);
}

/** Adds an axis of size 1 at `axis` (no copy). */
export function expandDims(x: Tensor, axis: number): Tensor {
  checkTensor(x, "expandDims");
  const a = normalizeAxis(axis, x.rank + 1, "expandDims");
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return new Tensor(x.data, shape);
}

/** Removes axes of size 1 (all of them, or the ones listed) without copying. */
export function squeeze(x: Tensor, axis?: number | readonly number[]): Tensor {
  checkTensor(x, "squeeze");
  if (axis !== undefined && typeof axis !== "number") checkList(axis, "squeeze", "axis");
  const axes =
    axis === undefined
      ? x.shape.flatMap((d, i) => (d === 1 ? [i] : []))
      : (typeof axis === "number" ? [axis] : axis).map((a) => normalizeAxis(a, x.rank, "squeeze"));
  for (const a of axes)
    if (x.shape[a] !== 1)
      throw new ShapeError(`squeeze: axis ${a} of ${formatShape(x.shape)} has size ${x.shape[a]}, not 1`);
  return new Tensor(
    x.data,
    x.shape.filter((_, i) => !axes.includes(i)),
  );
}

/** The adjoint of `gather`: a zero tensor of `shape` with out[indices[r]] += rows[r] (repeated indices add up). */
export function scatterAddRows(rows: Tensor, indices: ArrayLike<number>, shape: readonly number[]): Tensor {
  checkTensor(rows, "scatterAddRows");
  checkShape(shape, "scatterAddRows");
  const rowLength = sizeOf(shape.slice(1));
  if (rows.size !== indices.length * rowLength) {
    throw new ShapeError(
      `scatterAddRows: ${indices.length} rows of ${formatShape(shape.slice(1))} expected, got ${formatShape(rows.shape)}`,
    );
  }
  checkRowIndices("scatterAddRows", indices, shape);
  const out = allocate(rows.dtype, sizeOf(shape));
  kernels().scatterAddRows(out, rows.data, rowLength, indices);
  return new Tensor(out, shape);
}

/** The adjoint of `slice`: `x` placed at `begin` inside zeros of `shape`. */
export function pad(x: Tensor, begin: readonly number[], shape: readonly number[]): Tensor {
  checkTensor(x, "pad");
  checkList(begin, "pad", "begin");
  checkShape(shape, "pad");
  if (
    begin.length !== x.rank ||
    shape.length !== x.rank ||
    x.shape.some((d, i) => begin[i]! < 0 || begin[i]! + d > shape[i]!)
  ) {
    throw new ShapeError(`pad: ${formatShape(x.shape)} at [${begin.join(", ")}] does not fit in ${formatShape(shape)}`);
  }
  const out = allocate(x.dtype, sizeOf(shape));
  if (x.size === 0) return new Tensor(out, shape);
  const rank = x.rank;
  const rowLength = rank === 0 ? 1 : x.shape[rank - 1]!;
  const outStrides = stridesOf(shape);
  const counter = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  for (let r = 0; r < x.size / rowLength; r++) {
    let to = rank === 0 ? 0 : begin[rank - 1]!;
    for (let d = 0; d < rank - 1; d++) to += (begin[d]! + counter[d]!) * outStrides[d]!;
    out.set(x.data.subarray(r * rowLength, (r + 1) * rowLength), to);
    for (let d = rank - 2; d >= 0; d--) {
      if (++counter[d]! < x.shape[d]!) break;
      counter[d] = 0;
    }
  }
  return new Tensor(out, shape);
}

/** `x` repeated along broadcast dimensions to `shape` (numpy's broadcast_to), as a fresh tensor. */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor(x, "broadcastTo");
  checkShape(shape, "broadcastTo");
  const target = broadcastShapes(x.shape, shape, "broadcastTo");
  if (!sameShape(target, shape))
    throw new ShapeError(`broadcastTo: ${formatShape(x.shape)} does not broadcast to ${formatShape(shape)}`);
  const out = allocate(x.dtype, sizeOf(shape));
  // max(x, x) = x exactly (−0 and NaN included): the binary kernel's strided walk does the copy.
  const view = broadcastView(x, shape);
  kernels().binary("maximum", out, shape, view, view);
  return new Tensor(out, shape);
}

/** Sums `x` over its broadcast dimensions down to `shape` (the adjoint of broadcastTo). */
export function sumTo(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor(x, "sumTo");
  checkShape(shape, "sumTo");
  if (sameShape(x.shape, shape)) return x;
  const target = broadcastShapes(shape, x.shape, "sumTo");
  if (!sameShape(target, x.shape))
    throw new ShapeError(`sumTo: ${formatShape(x.shape)} does not reduce to ${formatShape(shape)}`);
  const lead = x.rank - shape.length;
  const axes: number[] = [];
  for (let d = 0; d < x.rank; d++) if (d < lead || (shape[d - lead] === 1 && x.shape[d] !== 1)) axes.push(d);
  return reshape(sum(x, axes, false), shape);
}
