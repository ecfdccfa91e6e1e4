import * as core from "@slope/core";
import { describe, expect, it } from "vitest";
import { param } from "../var.js";
import "../methods/install-all.js"; // loss.backward() and the other methods of Var
import { matmul } from "./matmul.js";
import { slice } from "./slice.js";
import { sum } from "./sum.js";

const f64 = (values: number[], shape = [values.length]) => core.tensor(values, { dtype: "float64", shape });

describe("matmul with 1-D operands (numpy's rules)", () => {
  const v = f64([1, 2]);
  const m = f64([1, 2, 3, 4, 5, 6], [2, 3]);

  it("vector · matrix is a vector of the matrix's columns", () => {
    const y = matmul(v, m);
    expect(y.shape).toEqual([3]);
    expect(y.toArray()).toEqual([9, 12, 15]);
  });

  it("matrix · vector is a vector of the matrix's rows", () => {
    const y = matmul(m, f64([1, 0, -1]));
    expect(y.shape).toEqual([2]);
    expect(y.toArray()).toEqual([-2, -2]);
  });

  it("vector · vector is the inner product of shape []", () => {
    const y = matmul(v, f64([3, 4]));
    expect(y.shape).toEqual([]);
    expect(y.item()).toBe(11);
  });

  it("broadcasts a vector over a batch of matrices and drops its axis", () => {
    expect(
      matmul(
        v,
        f64(
          Array.from({ length: 12 }, (_, i) => i),
          [2, 2, 3],
        ),
      ).shape,
    ).toEqual([2, 3]);
    expect(
      matmul(
        f64(
          Array.from({ length: 12 }, (_, i) => i),
          [2, 3, 2],
        ),
        v,
      ).shape,
    ).toEqual([2, 3]);
  });

  it("sends gradients of the operands' own shapes", () => {
    const a = param(v),
      b = param(m);
    sum(matmul(a, b)).backward();
    expect(a.grad!.shape).toEqual([2]);
    expect(Array.from(a.grad!.data)).toEqual([6, 15]);
    expect(Array.from(b.grad!.data)).toEqual([1, 1, 1, 2, 2, 2]);
  });

  it("throws a ShapeError when the inner dimensions differ", () => {
    expect(() => matmul(f64([1, 2, 3]), m)).toThrow(core.ShapeError);
    expect(() => matmul(v, f64([1, 2, 3]))).toThrow(core.ShapeError);
  });
});

describe("slice with negative begin indices", () => {
  it("counts from the end and pads the gradient back where the block sits", () => {
    const x = param(f64([0, 1, 2, 3, 4, 5], [2, 3]));
    const y = slice(x, [-1, -2]);
    expect(y.toArray()).toEqual([[4, 5]]);
    sum(y).backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 0, 0, 0, 1, 1]);
    expect(() => slice(x, [-3, 0])).toThrow(core.IndexError);
  });
});
