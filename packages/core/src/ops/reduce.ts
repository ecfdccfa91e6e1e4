import { allocate } from "../buffers.js";
import { ValueError, formatShape } from "../errors.js";
import { type ArgReduceOp, type ReduceOp, kernels } from "../kernels/index.js";
import { normalizeAxes, normalizeAxis, sizeOf } from "../shape.js";
import { Tensor, checkTensor } from "../tensor.js";

/** An axis, a list of axes (negative counts from the end), or undefined for every axis. */
export type Axis = number | readonly number[] | undefined;

/** [outer, length, inner] for reducing `axis` of `shape`. */
function split(shape: readonly number[], axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis]!, sizeOf(shape.slice(axis + 1))];
}

function reduce(op: ReduceOp, x: Tensor, axis: Axis, keepDims: boolean): Tensor {
  checkTensor(x, op);
  const axes = normalizeAxes(axis, x.rank, op);
  let data = x.data;
  const shape = [...x.shape];
  // One axis at a time, the last first, so the earlier axes keep their positions.
  for (let i = axes.length - 1; i >= 0; i--) {
    const a = axes[i]!;
    if (op !== "sum" && shape[a] === 0) {
      throw new ValueError(
        `${op}: cannot reduce over axis ${a} of size 0 in shape ${formatShape(x.shape)} (no identity for ${op})`,
      );
    }
    const [outer, length, inner] = split(shape, a);
    const out = allocate(x.dtype, outer * inner);
    kernels().reduce(op, out, data, outer, length, inner);
    data = out;
    shape[a] = 1;
  }
  if (axes.length === 0) data = data.slice();
  const outShape = keepDims ? shape : shape.filter((_, d) => !axes.includes(d));
  return new Tensor(data, outShape);
}

/** Σ x over `axis` (all axes when omitted); `keepDims` keeps the reduced axes as size 1. */
export function sum(x: Tensor, axis?: Axis, keepDims = false): Tensor {
  return reduce("sum", x, axis, keepDims);
}

/** The mean over `axis`: Σ x / (number of elements summed). */
export function mean(x: Tensor, axis?: Axis, keepDims = false): Tensor {
  const total = reduce("sum", x, axis, keepDims);
  const count = x.size / Math.max(total.size, 1);
  const data = total.data;
  for (let i = 0; i < data.length; i++) data[i] = data[i]! / count;
  return total;
}

/** The maximum over `axis` (NaN if any element is NaN). */
export function max(x: Tensor, axis?: Axis, keepDims = false): Tensor {
  return reduce("max", x, axis, keepDims);
}

/** The minimum over `axis` (NaN if any element is NaN). */
export function min(x: Tensor, axis?: Axis, keepDims = false): Tensor {
  return reduce("min", x, axis, keepDims);
}

function argReduce(op: ArgReduceOp, x: Tensor, axis: number | undefined, keepDims: boolean): Tensor {
  checkTensor(x, op);
  if (axis === undefined) {
    if (x.size === 0) throw new ValueError(`${op}: empty tensor of shape ${formatShape(x.shape)} has no ${op}`);
    const out = allocate(x.dtype, 1);
    kernels().argReduce(op, out, x.data, 1, x.size, 1);
    return new Tensor(out, keepDims ? x.shape.map(() => 1) : []);
  }
  const a = normalizeAxis(axis, x.rank, op);
  if (x.shape[a] === 0) throw new ValueError(`${op}: axis ${a} of shape ${formatShape(x.shape)} is empty`);
  const [outer, length, inner] = split(x.shape, a);
  const out = allocate(x.dtype, outer * inner);
  kernels().argReduce(op, out, x.data, outer, length, inner);
  const shape = [...x.shape];
  if (keepDims) shape[a] = 1;
  else shape.splice(a, 1);
  return new Tensor(out, shape);
}

/**
 * The index of the largest value along `axis` (of the flattened tensor when omitted), the first
 * one on ties, as a tensor of the input's dtype.
 */
export function argmax(x: Tensor, axis?: number, keepDims = false): Tensor {
  return argReduce("argmax", x, axis, keepDims);
}

/** The index of the smallest value along `axis`, the first one on ties. */
export function argmin(x: Tensor, axis?: number, keepDims = false): Tensor {
  return argReduce("argmin", x, axis, keepDims);
}
