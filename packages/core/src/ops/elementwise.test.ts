import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arange, tensor, zeros } from "../create.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import {
  abs,
  add,
  clip,
  div,
  equal,
  exp,
  greater,
  greaterEqual,
  less,
  lessEqual,
  log,
  maximum,
  minimum,
  mul,
  neg,
  notEqual,
  pow,
  reciprocal,
  relu,
  sigmoid,
  sign,
  sqrt,
  square,
  step,
  sub,
  tanh,
  where,
} from "./elementwise.js";
import { reshape } from "./layout.js";

const dtypes = ["float32", "float64"] as const;

describe.each(dtypes)("elementwise ops in %s", (dtype) => {
  const t = (v: Parameters<typeof tensor>[0]) => tensor(v, { dtype });
  const values = (x: { data: ArrayLike<number> }) => Array.from(x.data);

  it("binary arithmetic gives hand-worked values and keeps the dtype", () => {
    const a = t([1, -2, 3, 0.5]);
    const b = t([4, 5, -6, 2]);
    expect(values(add(a, b))).toEqual([5, 3, -3, 2.5]);
    expect(values(sub(a, b))).toEqual([-3, -7, 9, -1.5]);
    expect(values(mul(a, b))).toEqual([4, -10, -18, 1]);
    expect(values(div(a, b))).toEqual([0.25, -0.4, -0.5, 0.25].map((v) => (dtype === "float32" ? Math.fround(v) : v)));
    expect(values(pow(a, t([2, 3, 0, -1])))).toEqual([1, -8, 1, 2]);
    expect(values(maximum(a, b))).toEqual([4, 5, 3, 2]);
    expect(values(minimum(a, b))).toEqual([1, -2, -6, 0.5]);
    expect(add(a, b).dtype).toBe(dtype);
  });

  it("comparisons write 1 and 0", () => {
    const a = t([1, 2, 3]);
    const b = t([3, 2, 1]);
    expect(values(equal(a, b))).toEqual([0, 1, 0]);
    expect(values(notEqual(a, b))).toEqual([1, 0, 1]);
    expect(values(greater(a, b))).toEqual([0, 0, 1]);
    expect(values(greaterEqual(a, b))).toEqual([0, 1, 1]);
    expect(values(less(a, b))).toEqual([1, 0, 0]);
    expect(values(lessEqual(a, b))).toEqual([1, 1, 0]);
  });

  it("unary ops give hand-worked values", () => {
    const x = t([-2, 0, 1, 4]);
    expect(values(neg(x))).toEqual([2, -0, -1, -4]);
    expect(values(abs(x))).toEqual([2, 0, 1, 4]);
    expect(values(square(x))).toEqual([4, 0, 1, 16]);
    expect(values(sign(x))).toEqual([-1, 0, 1, 1]);
    expect(values(relu(x))).toEqual([0, 0, 1, 4]);
    expect(values(step(x))).toEqual([0, 0, 1, 1]);
    expect(values(sqrt(t([0, 1, 4, 9])))).toEqual([0, 1, 2, 3]);
    expect(values(reciprocal(t([1, 2, 4])))).toEqual([1, 0.5, 0.25]);
    const close = (got: number[], want: number[]) =>
      got.forEach((g, i) => {
        expect(g).toBeCloseTo(want[i]!, dtype === "float32" ? 6 : 14);
      });
    close(values(exp(t([0, 1, -1]))), [1, Math.E, 1 / Math.E]);
    close(values(log(t([1, Math.E, 0.5]))), [0, 1, Math.log(0.5)]);
    close(values(tanh(t([0, 0.5]))), [0, Math.tanh(0.5)]);
    close(values(sigmoid(t([0, 2, -2]))), [0.5, 1 / (1 + Math.exp(-2)), 1 / (1 + Math.exp(2))]);
    expect(values(log(t([0, -1])))).toEqual([-Infinity, NaN]);
  });

  it("sigmoid stays finite and exact at the extremes", () => {
    expect(values(sigmoid(t([-1000, 1000])))).toEqual([0, 1]);
  });

  it("broadcasts [3,1] + [1,4], [2,3,4] + [4] and scalars as numpy does", () => {
    const col = t([[0], [10], [20]]);
    const row = t([[1, 2, 3, 4]]);
    expect(add(col, row).toArray()).toEqual([
      [1, 2, 3, 4],
      [11, 12, 13, 14],
      [21, 22, 23, 24],
    ]);
    const cube = reshape(arange(24, undefined, 1, { dtype }), [2, 3, 4]);
    const last = t([100, 200, 300, 400]);
    const sum = add(cube, last);
    expect(sum.shape).toEqual([2, 3, 4]);
    for (let i = 0; i < 24; i++) expect(sum.data[i]).toBe(i + 100 * ((i % 4) + 1));
    expect(values(mul(t([1, 2, 3]), 2))).toEqual([2, 4, 6]);
    expect(values(sub(10, t([1, 2])))).toEqual([9, 8]);
    expect(sub(10, t([1, 2])).dtype).toBe(dtype);
    expect(add(t(5), t([[1], [2]])).toArray()).toEqual([[6], [7]]);
  });

  it("broadcasts along a middle axis and over size-0 dimensions", () => {
    const a = reshape(arange(6, undefined, 1, { dtype }), [2, 1, 3]);
    const b = reshape(t([0, 10]), [1, 2, 1]);
    expect(add(a, b).toArray()).toEqual([
      [
        [0, 1, 2],
        [10, 11, 12],
      ],
      [
        [3, 4, 5],
        [13, 14, 15],
      ],
    ]);
    expect(add(zeros([0, 3], { dtype }), t([1, 2, 3])).shape).toEqual([0, 3]);
    expect(add(zeros([2, 0], { dtype }), zeros([1, 1], { dtype })).shape).toEqual([2, 0]);
  });

  it("clip and where", () => {
    expect(values(clip(t([-5, 0.5, 5]), -1, 1))).toEqual([-1, 0.5, 1]);
    expect(() => clip(t([1]), 1, 0)).toThrow(ValueError);
    const cond = t([[1], [0]]);
    expect(where(cond, t([1, 2]), t([-1, -2])).toArray()).toEqual([
      [1, 2],
      [-1, -2],
    ]);
    expect(where(cond, 1, 0).dtype).toBe(dtype);
  });
});

describe("elementwise errors", () => {
  it("mixing float32 with float64 is a DTypeError, never a silent cast", () => {
    expect(() => add(tensor([1]), tensor([1], { dtype: "float64" }))).toThrow(DTypeError);
    expect(() => add(tensor([1]), tensor([1], { dtype: "float64" }))).toThrow(
      /add: dtypes differ: float32 and float64/,
    );
  });

  it("shapes that do not broadcast name both shapes", () => {
    expect(() => add(zeros([2, 3]), zeros([4]))).toThrow(ShapeError);
    expect(() => add(zeros([2, 3]), zeros([4]))).toThrow(/add: shapes \[2, 3\] and \[4\] do not broadcast/);
  });

  it("a non-tensor argument is named", () => {
    expect(() => add("x" as never, 1)).toThrow(/add: operand 1 must be a Tensor, got string/);
    expect(() => exp([1, 2] as never)).toThrow(/exp: argument must be a Tensor, got Array/);
  });
});

describe("elementwise properties", () => {
  const arrays = fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 40 });
  it("a + b − b ≈ a in float64", () => {
    fc.assert(
      fc.property(arrays, arrays, (x, y) => {
        const n = Math.min(x.length, y.length);
        const a = tensor(x.slice(0, n), { dtype: "float64" });
        const b = tensor(y.slice(0, n), { dtype: "float64" });
        const back = sub(add(a, b), b);
        return back.data.every(
          (v, i) => Math.abs(v - a.data[i]!) <= 1e-12 * (1 + Math.abs(a.data[i]!) + Math.abs(b.data[i]!)),
        );
      }),
    );
  });

  it("broadcasting a row equals adding it to each row by hand", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), (rows, cols) => {
        const m = reshape(arange(rows * cols, undefined, 1, { dtype: "float64" }), [rows, cols]);
        const r = arange(cols, undefined, 1, { dtype: "float64" });
        const s = add(m, r);
        for (let i = 0; i < rows; i++)
          for (let j = 0; j < cols; j++) if (s.get(i, j) !== i * cols + 2 * j) return false;
        return true;
      }),
    );
  });
});
