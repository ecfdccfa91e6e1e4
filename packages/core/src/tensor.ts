import { type DType, type FloatArray, dtypeOf } from "./dtype.js";
import { DTypeError, IndexError, ShapeError, ValueError, formatShape } from "./errors.js";
import { checkShape, sizeOf, stridesOf } from "./shape.js";

/** A number, or arrays of arrays of numbers: what `toArray()` returns and `tensor()` accepts. */
export type NestedArray = number | NestedArray[];

/**
 * An n-dimensional array of float32 or float64 values over a contiguous row-major typed array.
 * Tensors are plain garbage-collected objects: there is nothing to dispose. Ops never change a
 * tensor in place except where their name says so (the optimizers' in-place updates, `gather`
 * into a supplied output).
 */
export class Tensor {
  /** The size of each axis, e.g. [N, D] for N rows of D features; [] for a scalar. */
  readonly shape: readonly number[];
  /** "float32" or "float64", the type of `data`. */
  readonly dtype: DType;
  /** The number of elements, the product of `shape`. */
  readonly size: number;
  /** The elements in row-major order (the last axis varies fastest), contiguous. */
  readonly data: FloatArray;
  /** The step in `data` per index of each axis: the element at (i₀, i₁, …) is data[Σ iₖ·strides[k]]. */
  readonly strides: readonly number[];

  /** Wraps `data` (not copied) as a tensor of `shape`; its length must be the shape's size. */
  constructor(data: FloatArray, shape: readonly number[]) {
    if (!(data instanceof Float32Array || data instanceof Float64Array)) {
      const kind = data === null || typeof data !== "object" ? String(data) : (data as object).constructor?.name;
      throw new DTypeError(
        `Tensor: data must be a Float32Array or Float64Array, got ${kind ?? typeof data} ` +
          "(convert it with tensor(values))",
      );
    }
    checkShape(shape, "Tensor");
    const size = sizeOf(shape);
    if (data.length !== size) {
      throw new ShapeError(`Tensor: data has ${data.length} elements but shape ${formatShape(shape)} needs ${size}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtypeOf(data);
    this.size = size;
    this.strides = Object.freeze(stridesOf(shape));
  }

  /** Number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /** The element at a full index (negative indices count from the end). */
  get(...index: number[]): number {
    if (index.length !== this.shape.length) {
      throw new IndexError(
        `get: expected ${this.shape.length} indices for shape ${formatShape(this.shape)}, got ${index.length}`,
      );
    }
    let offset = 0;
    for (let i = 0; i < index.length; i++) {
      const d = this.shape[i]!;
      let k = index[i]!;
      if (!Number.isInteger(k) || k < -d || k >= d) {
        throw new IndexError(`get: index ${k} is out of range for dimension ${i} of size ${d}`);
      }
      if (k < 0) k += d;
      offset += k * this.strides[i]!;
    }
    return this.data[offset]!;
  }

  /** The single value of a one-element tensor, as a JS number. */
  item(): number {
    if (this.size !== 1)
      throw new ValueError(`item: expected a tensor with one element, got shape ${formatShape(this.shape)}`);
    return this.data[0]!;
  }

  /** Nested JS arrays of the values (a plain number for a scalar). */
  toArray(): NestedArray {
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return this.data[offset]!;
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[dim]!; i++) out.push(build(dim + 1, offset + i * this.strides[dim]!));
      return out;
    };
    return build(0, 0);
  }

  /** A readable summary: `Tensor(float32, [2, 2]) [[1, 2], [3, 4]]`, long dimensions elided. */
  toString(): string {
    const edge = 3;
    const format = (v: number) =>
      Number.isInteger(v) ? String(v) : v.toPrecision(this.dtype === "float32" ? 6 : 8).replace(/\.?0+(e|$)/, "$1");
    const build = (dim: number, offset: number): string => {
      if (dim === this.shape.length) return format(this.data[offset]!);
      const n = this.shape[dim]!;
      const parts: string[] = [];
      for (let i = 0; i < n; i++) {
        if (n > 2 * edge + 1 && i === edge) {
          parts.push("…");
          i = n - edge - 1;
          continue;
        }
        parts.push(build(dim + 1, offset + i * this.strides[dim]!));
      }
      return `[${parts.join(", ")}]`;
    };
    return `Tensor(${this.dtype}, ${formatShape(this.shape)}) ${build(0, 0)}`;
  }
}

/** Checks that `t` is a Tensor, naming the argument otherwise. */
export function checkTensor(t: unknown, where: string, name = "argument"): Tensor {
  if (!(t instanceof Tensor)) {
    throw new ValueError(
      `${where}: ${name} must be a Tensor, got ${t === null ? "null" : typeof t === "object" ? ((t as object).constructor?.name ?? "object") : typeof t}`,
    );
  }
  return t;
}
