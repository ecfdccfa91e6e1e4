import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arange, tensor, zeros } from "../create.js";
import { IndexError, ValueError } from "../errors.js";
import { Rng } from "../rng.js";
import { randn } from "../create.js";
import { reshape } from "./layout.js";
import { argmax, argmin, max, mean, min, sum } from "./reduce.js";

const dtypes = ["float32", "float64"] as const;

describe.each(dtypes)("reductions in %s", (dtype) => {
  const cube = () => reshape(arange(24, undefined, 1, { dtype }), [2, 3, 4]);

  it("sum over all axes, one axis, a negative axis, and a list of axes", () => {
    expect(sum(cube()).item()).toBe(276);
    expect(sum(cube(), 0).toArray()).toEqual([
      [12, 14, 16, 18],
      [20, 22, 24, 26],
      [28, 30, 32, 34],
    ]);
    expect(sum(cube(), -1).toArray()).toEqual([
      [6, 22, 38],
      [54, 70, 86],
    ]);
    expect(sum(cube(), [0, 2]).toArray()).toEqual([60, 92, 124]);
    expect(sum(cube(), 1, true).shape).toEqual([2, 1, 4]);
    expect(sum(cube(), undefined, true).shape).toEqual([1, 1, 1]);
    expect(sum(cube()).dtype).toBe(dtype);
  });

  it("mean, max and min", () => {
    expect(mean(cube()).item()).toBe(11.5);
    expect(mean(cube(), 2).toArray()).toEqual([
      [1.5, 5.5, 9.5],
      [13.5, 17.5, 21.5],
    ]);
    const x = tensor(
      [
        [3, -1, 7],
        [2, 9, -4],
      ],
      { dtype },
    );
    expect(max(x, 1).toArray()).toEqual([7, 9]);
    expect(min(x, 0).toArray()).toEqual([2, -1, -4]);
    expect(max(x).item()).toBe(9);
    expect(min(x, [0, 1]).item()).toBe(-4);
  });

  it("argmax and argmin take the first on ties, along an axis or flattened", () => {
    const x = tensor(
      [
        [3, 7, 7],
        [9, 2, 9],
      ],
      { dtype },
    );
    expect(argmax(x, 1).toArray()).toEqual([1, 0]);
    expect(argmin(x, 0).toArray()).toEqual([0, 1, 0]);
    expect(argmax(x).item()).toBe(3);
    expect(argmax(x, -1, true).shape).toEqual([2, 1]);
  });

  it("max and argmax propagate NaN", () => {
    const x = tensor([1, NaN, 3], { dtype });
    expect(max(x).item()).toBeNaN();
    expect(argmax(x).item()).toBe(1);
  });

  it("sum over an empty axis is 0; max over one is an error", () => {
    expect(sum(zeros([0, 3], { dtype }), 0).toArray()).toEqual([0, 0, 0]);
    expect(() => max(zeros([0, 3], { dtype }), 0)).toThrow(ValueError);
    expect(() => max(zeros([0, 3], { dtype }), 0)).toThrow(/axis 0 of size 0/);
    expect(() => argmax(zeros([0], { dtype }))).toThrow(ValueError);
  });
});

describe("reduction errors and properties", () => {
  it("an axis out of range names the valid range", () => {
    expect(() => sum(zeros([2, 3]), 2)).toThrow(IndexError);
    expect(() => sum(zeros([2, 3]), 2)).toThrow(/axis 2 is out of range for a tensor of rank 2 \(expected -2 to 1\)/);
    expect(() => sum(zeros([2, 3]), [0, -2])).toThrow(/repeated axis/);
  });

  it("summing over every axis in any order gives the same total", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 1000 }),
        (a, b, c, seed) => {
          const x = randn([a, b, c], { rng: new Rng(seed), dtype: "float64" });
          const total = sum(x).item();
          const orders = [
            [0, 1, 2],
            [2, 1, 0],
            [1, 0, 2],
          ];
          return orders.every((order) => {
            let y = x;
            for (const axis of [...order].sort((p, q) => q - p)) y = sum(y, axis);
            return Math.abs(y.item() - total) <= 1e-12 * (1 + Math.abs(total)) * a * b * c;
          });
        },
      ),
    );
  });

  it("float32 sums accumulate in float64 (no drift over a million ones)", () => {
    const ones = new Float32Array(1 << 20).fill(1);
    expect(sum(tensor(ones)).item()).toBe(1 << 20);
  });
});
