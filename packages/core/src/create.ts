import { allocate, allocateKept } from "./buffers.js";
import { kernelMemory } from "./kernels/wasm/kernel-memory.js";
import { DEFAULT_DTYPE, type DType, type FloatArray, checkDType } from "./dtype.js";
import { DTypeError, ShapeError, ValueError, formatShape } from "./errors.js";
import { checkOptions } from "./options.js";
import type { Rng } from "./rng.js";
import { MAX_TENSOR_SIZE, checkShape, sizeOf } from "./shape.js";
import { type NestedArray, Tensor, checkTensor } from "./tensor.js";

/** Options of the factories: the dtype (float32 unless asked) and, for flat input, the shape. */
export interface TensorOptions {
  /** "float32" (the default) or "float64". */
  dtype?: DType;
  /** The shape of flat input (nested arrays carry their own). */
  shape?: readonly number[];
}

/** Infers the shape of nested arrays, requiring every sibling to have the same length. */
function nestedShape(values: NestedArray): number[] {
  const shape: number[] = [];
  let level: NestedArray = values;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0]!;
  }
  return shape;
}

function flattenInto(
  values: NestedArray,
  shape: readonly number[],
  dim: number,
  out: FloatArray,
  offset: number,
): number {
  if (dim === shape.length) {
    if (typeof values !== "number")
      throw new ShapeError(`tensor: ragged nested array: expected a number at depth ${dim}, got an array`);
    out[offset] = values;
    return offset + 1;
  }
  if (!Array.isArray(values) || values.length !== shape[dim]) {
    throw new ShapeError(
      `tensor: ragged nested array: expected ${shape[dim]} elements at depth ${dim}, got ${Array.isArray(values) ? values.length : "a number"}`,
    );
  }
  for (const v of values) offset = flattenInto(v, shape, dim + 1, out, offset);
  return offset;
}

/**
 * A tensor from nested arrays (`tensor([[1, 2], [3, 4]])`), a number (a scalar), or a flat array
 * or typed array with `shape`. Values are copied. A Float32Array/Float64Array sets the dtype
 * unless `dtype` says otherwise.
 */
export function tensor(values: NestedArray | ArrayLike<number>, options: TensorOptions = {}): Tensor {
  options = checkOptions(options, ["dtype", "shape"], "tensor");
  const isTyped = ArrayBuffer.isView(values);
  const dtype = checkDType(
    options.dtype ??
      (values instanceof Float64Array
        ? "float64"
        : isTyped && values instanceof Float32Array
          ? "float32"
          : DEFAULT_DTYPE),
    "tensor",
  );
  if (options.shape !== undefined || isTyped) {
    const flat = values as ArrayLike<number>;
    if (typeof values === "number") return tensor([values], { dtype, shape: options.shape ?? [] });
    const shape = checkShape(options.shape ?? [flat.length], "tensor");
    if (sizeOf(shape) !== flat.length) {
      throw new ShapeError(
        `tensor: ${flat.length} values do not fill shape ${formatShape(shape)} (${sizeOf(shape)} elements)`,
      );
    }
    const data = allocate(dtype, flat.length);
    for (let i = 0; i < flat.length; i++) {
      const v = flat[i];
      if (typeof v !== "number") throw new ValueError(`tensor: expected numbers, got ${typeof v} at index ${i}`);
      data[i] = v;
    }
    return new Tensor(data, shape);
  }
  const nested = values as NestedArray;
  const shape = nestedShape(nested);
  const data = allocate(dtype, sizeOf(shape));
  flattenInto(nested, shape, 0, data, 0);
  return new Tensor(data, shape);
}

/** Wraps an existing typed array as a tensor without copying. */
export function fromData(data: FloatArray, shape: readonly number[]): Tensor {
  if (!(data instanceof Float32Array || data instanceof Float64Array)) {
    const kind = data === null || typeof data !== "object" ? String(data) : (data as object).constructor?.name;
    throw new DTypeError(
      `fromData: data must be a Float32Array or Float64Array, got ${kind ?? typeof data} ` +
        "(copy other arrays with tensor(values, { shape }))",
    );
  }
  return new Tensor(data, checkShape(shape, "fromData"));
}

/** A scalar (rank-0) tensor. */
export function scalar(value: number, dtype: DType = DEFAULT_DTYPE): Tensor {
  const data = allocate(checkDType(dtype, "scalar"), 1);
  data[0] = value;
  return new Tensor(data, []);
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: readonly number[], value: number, options: { dtype?: DType } = {}): Tensor {
  return filled(shape, value, options, "full");
}

/** `full`, with `where` naming the function the user called in messages. */
function filled(shape: readonly number[], value: number, options: { dtype?: DType }, where: string): Tensor {
  checkOptions(options, ["dtype"], where);
  const data = allocate(checkDType(options.dtype ?? DEFAULT_DTYPE, where), sizeOf(checkShape(shape, where)));
  if (value !== 0) data.fill(value);
  return new Tensor(data, shape);
}

/** A tensor of zeros. */
export function zeros(shape: readonly number[], options: { dtype?: DType } = {}): Tensor {
  return filled(shape, 0, options, "zeros");
}

/** A tensor of ones. */
export function ones(shape: readonly number[], options: { dtype?: DType } = {}): Tensor {
  return filled(shape, 1, options, "ones");
}

/** Zeros with the shape and dtype of `t`. */
export function zerosLike(t: Tensor): Tensor {
  checkTensor(t, "zerosLike");
  return new Tensor(allocate(t.dtype, t.size), t.shape);
}

/** Ones with the shape and dtype of `t`. */
export function onesLike(t: Tensor): Tensor {
  checkTensor(t, "onesLike");
  return full(t.shape, 1, { dtype: t.dtype });
}

/** A copy of `t` with its own storage. */
export function clone(t: Tensor): Tensor {
  checkTensor(t, "clone");
  const data = allocateKept(t.dtype, t.size);
  data.set(t.data);
  return new Tensor(data, t.shape);
}

/** The numbers start, start+step, … below stop (numpy's arange); `arange(n)` is 0..n−1. */
export function arange(start: number, stop?: number, step = 1, options: { dtype?: DType } = {}): Tensor {
  checkOptions(options, ["dtype"], "arange");
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  if (step === 0 || !Number.isFinite(step))
    throw new ValueError(`arange: step must be a finite non-zero number, got ${step}`);
  if (!Number.isFinite(start) || !Number.isFinite(stop)) {
    throw new ValueError(`arange: start and stop must be finite, got ${start} and ${stop}`);
  }
  const count = Math.max(0, Math.ceil((stop - start) / step));
  if (count > MAX_TENSOR_SIZE) {
    throw new ShapeError(
      `arange(${start}, ${stop}, ${step}): shape [${count}] has more than the ${MAX_TENSOR_SIZE} ` +
        "elements a tensor can hold",
    );
  }
  const data = allocate(checkDType(options.dtype ?? DEFAULT_DTYPE, "arange"), count);
  for (let i = 0; i < count; i++) data[i] = start + i * step;
  return new Tensor(data, [count]);
}

/** The n×m identity matrix (m = n unless given). */
export function eye(n: number, m = n, options: { dtype?: DType } = {}): Tensor {
  const t = filled(checkShape([n, m], "eye"), 0, options, "eye");
  for (let i = 0; i < Math.min(n, m); i++) t.data[i * m + i] = 1;
  return t;
}

/** Normal samples: mean + std·N(0, 1), drawn from `rng`. */
export function randn(
  shape: readonly number[],
  options: { rng: Rng; dtype?: DType; std?: number; mean?: number },
): Tensor {
  if (!options?.rng)
    throw new ValueError(
      "randn: an rng is required (every random thing in Slope is seeded): randn(shape, { rng: new Rng(0) })",
    );
  const { rng, std = 1, mean = 0 } = checkOptions(options, ["rng", "dtype", "std", "mean"], "randn");
  const t = filled(shape, 0, { dtype: options.dtype ?? DEFAULT_DTYPE }, "randn");
  for (let i = 0; i < t.size; i++) t.data[i] = mean + std * rng.normal();
  return t;
}

/** Uniform samples in [low, high), drawn from `rng`. */
export function rand(
  shape: readonly number[],
  options: { rng: Rng; low?: number; high?: number; dtype?: DType },
): Tensor {
  if (!options?.rng)
    throw new ValueError(
      "rand: an rng is required (every random thing in Slope is seeded): rand(shape, { rng: new Rng(0) })",
    );
  const { rng, low = 0, high = 1 } = checkOptions(options, ["rng", "low", "high", "dtype"], "rand");
  const t = filled(shape, 0, { dtype: options.dtype ?? DEFAULT_DTYPE }, "rand");
  for (let i = 0; i < t.size; i++) t.data[i] = low + (high - low) * rng.uniform();
  return t;
}

/**
 * `t` with its values in storage that outlives any step: `t` itself when it is float64, already lives in the kernel
 * memory, or there is none; else a copy there (see `ownedArray` in buffers.ts). What `param` keeps as a parameter's value, so that
 * the kernels and the threads update it in place. @internal
 */
export function ownedTensor(t: Tensor): Tensor {
  const memory = kernelMemory();
  if (t.dtype !== "float32" || memory === null || memory.holds(t.data)) return t;
  const data = memory.ownFloat32(t.size); // null under the copy policy, or when the memory is full
  if (data === null) return t;
  data.set(t.data);
  return new Tensor(data, t.shape);
}
