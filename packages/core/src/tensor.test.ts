import { describe, expect, it } from "vitest";
import { arange, eye, full, ones, rand, randn, tensor, zeros } from "./create.js";
import { IndexError, ShapeError, ValueError, DTypeError } from "./errors.js";
import { Rng } from "./rng.js";
import { Tensor } from "./tensor.js";

const dtypes = ["float32", "float64"] as const;

describe("Tensor and its factories", () => {
  it.each(dtypes)("tensor() infers the shape of nested arrays and stores them row-major (%s)", (dtype) => {
    const t = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { dtype },
    );
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe(dtype);
    expect(t.size).toBe(6);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.data).toBeInstanceOf(dtype === "float32" ? Float32Array : Float64Array);
    expect(t.get(1, 2)).toBe(6);
    expect(t.get(-1, 0)).toBe(4);
    expect(t.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it("defaults to float32 and takes a flat array or a typed array with a shape", () => {
    expect(tensor([1, 2]).dtype).toBe("float32");
    const flat = tensor([1, 2, 3, 4, 5, 6], { shape: [3, 2], dtype: "float64" });
    expect(flat.toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const typed = tensor(new Float64Array([1, 2, 3, 4]), { shape: [2, 2] });
    expect(typed.dtype).toBe("float64");
    expect(tensor(new Float32Array(3)).shape).toEqual([3]);
  });

  it("a number is a scalar whose item() is the value", () => {
    const s = tensor(3.5, { dtype: "float64" });
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(3.5);
    expect(s.toArray()).toBe(3.5);
  });

  it("rounds to float32 when asked for float32", () => {
    expect(tensor([0.1]).data[0]).toBe(Math.fround(0.1));
    expect(tensor([0.1], { dtype: "float64" }).data[0]).toBe(0.1);
  });

  it("rejects ragged arrays, a flat array that does not fill the shape, and bad dtypes", () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => tensor([[1, 2], [3]])).toThrow(/expected 2 elements at depth 1, got 1/);
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow(/3 values do not fill shape \[2, 2\]/);
    expect(() => tensor([1], { dtype: "int32" as never })).toThrow(DTypeError);
    expect(() => zeros([2, -1])).toThrow(/non-negative integer, got \[2, -1\]/);
    expect(() => new Tensor(new Float32Array(3), [2, 2])).toThrow(/data has 3 elements but shape \[2, 2\] needs 4/);
  });

  it("get() and item() name the bad index or shape", () => {
    const t = zeros([2, 3]);
    expect(() => t.get(2, 0)).toThrow(IndexError);
    expect(() => t.get(2, 0)).toThrow(/index 2 is out of range for dimension 0 of size 2/);
    expect(() => t.get(0)).toThrow(/expected 2 indices/);
    expect(() => t.item()).toThrow(ValueError);
  });

  it.each(dtypes)("zeros, ones, full, arange and eye build what they say (%s)", (dtype) => {
    expect(Array.from(zeros([2, 2], { dtype }).data)).toEqual([0, 0, 0, 0]);
    expect(Array.from(ones([3], { dtype }).data)).toEqual([1, 1, 1]);
    expect(Array.from(full([2], 7, { dtype }).data)).toEqual([7, 7]);
    expect(Array.from(arange(5, undefined, 1, { dtype }).data)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(arange(1, 2, 0.25, { dtype }).data)).toEqual([1, 1.25, 1.5, 1.75]);
    expect(eye(2, 3, { dtype }).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(zeros([0, 3], { dtype }).size).toBe(0);
    expect(() => arange(0, 1, 0)).toThrow(ValueError);
  });

  it("randn and rand are reproducible from the seed and have the asked-for moments", () => {
    const a = randn([10000], { rng: new Rng(1), dtype: "float64", std: 2 });
    const b = randn([10000], { rng: new Rng(1), dtype: "float64", std: 2 });
    expect(a.data).toEqual(b.data);
    const m = Array.from(a.data).reduce((s, v) => s + v, 0) / a.size;
    const v = Array.from(a.data).reduce((s, x) => s + (x - m) ** 2, 0) / a.size;
    expect(Math.abs(m)).toBeLessThan(0.06);
    expect(Math.abs(Math.sqrt(v) - 2)).toBeLessThan(0.05);
    const u = rand([10000], { rng: new Rng(2), low: -1, high: 3 });
    expect(Math.min(...u.data)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...u.data)).toBeLessThan(3);
    expect(() => randn([2], {} as never)).toThrow(/an rng is required/);
  });

  it("toString() is readable and elides long dimensions", () => {
    expect(
      String(
        tensor([
          [1, 2],
          [3, 4],
        ]),
      ),
    ).toBe("Tensor(float32, [2, 2]) [[1, 2], [3, 4]]");
    expect(String(arange(10))).toBe("Tensor(float32, [10]) [0, 1, 2, …, 7, 8, 9]");
    expect(String(tensor([0.5, 1 / 3], { dtype: "float64" }))).toBe("Tensor(float64, [2]) [0.5, 0.33333333]");
  });
});
