import * as core from "@slope/core";
import { describe, expect, it } from "vitest";
import { param } from "../var.js";
import "../methods/install-all.js"; // loss.backward() and the other methods of Var
import { argmax } from "./argmax.js";
import { oneHot } from "./one-hot.js";
import { split } from "./split.js";
import { stack } from "./stack.js";
import { sum } from "./sum.js";
import { mul } from "./mul.js";

const f64 = (values: number[], shape: number[]) => core.tensor(values, { dtype: "float64", shape });

describe("stack", () => {
  it("joins inputs of one shape along a new axis, negative axes counting from the end", () => {
    const a = f64([1, 2, 3], [3]),
      b = f64([4, 5, 6], [3]);
    expect(stack([a, b]).toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(stack([a, b], 1).toArray()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(stack([a, b], -1).shape).toEqual([3, 2]);
    expect(stack([f64([1, 2, 3, 4], [2, 2])], -3).shape).toEqual([1, 2, 2]);
  });

  it("sends each input its own slice of the gradient", () => {
    const a = param(f64([1, 2], [2])),
      b = param(f64([3, 4], [2]));
    sum(mul(stack([a, b], 1), f64([1, 2, 3, 4], [2, 2]))).backward();
    expect(Array.from(a.grad!.data)).toEqual([1, 3]);
    expect(Array.from(b.grad!.data)).toEqual([2, 4]);
  });

  it("throws a ShapeError naming both shapes when they differ, a ValueError when empty", () => {
    expect(() => stack([f64([1, 2], [2]), f64([1, 2, 3], [3])])).toThrow(core.ShapeError);
    expect(() => stack([f64([1, 2], [2]), f64([1, 2, 3], [3])])).toThrow(/\[2\].*\[3\]/);
    expect(() => stack([])).toThrow(core.ValueError);
    expect(() => stack([f64([1], [1])], 3)).toThrow();
  });
});

describe("split", () => {
  const x = f64([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [5, 2]);

  it("cuts into sections of a size, the last one smaller (torch.split)", () => {
    const parts = split(x, 2);
    expect(parts.map((p) => p.shape)).toEqual([
      [2, 2],
      [2, 2],
      [1, 2],
    ]);
    expect(parts[2]!.toArray()).toEqual([[8, 9]]);
    expect(split(x, 1, 1).map((p) => p.toArray())).toEqual([
      [[0], [2], [4], [6], [8]],
      [[1], [3], [5], [7], [9]],
    ]);
  });

  it("cuts into a list of sizes that add up to the axis, zero sizes included", () => {
    const parts = split(x, [1, 0, 4], -2);
    expect(parts.map((p) => p.shape)).toEqual([
      [1, 2],
      [0, 2],
      [4, 2],
    ]);
    expect(parts[2]!.toArray()).toEqual([
      [2, 3],
      [4, 5],
      [6, 7],
      [8, 9],
    ]);
  });

  it("gives zeros to the part of x whose piece is unused", () => {
    const p = param(x);
    const [first] = split(p, [2, 3]);
    sum(first!).backward();
    expect(Array.from(p.grad!.data)).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
  });

  it("throws a ValueError for sizes that do not add up, or a section size that is not a positive integer", () => {
    expect(() => split(x, [2, 2])).toThrow(core.ValueError);
    expect(() => split(x, [2, 2])).toThrow(/add up to 4.*has 5/);
    expect(() => split(x, 0)).toThrow(core.ValueError);
    expect(() => split(x, 1.5)).toThrow(core.ValueError);
    expect(() => split(x, [6, -1])).toThrow(core.ValueError);
  });
});

describe("oneHot", () => {
  it("puts a 1 at each label's column, in float32 by default or the dtype asked for", () => {
    const t = oneHot([2, 0, 1, 2], 3);
    expect(t).toBeInstanceOf(core.Tensor);
    expect(t.dtype).toBe("float32");
    expect(t.toArray()).toEqual([
      [0, 0, 1],
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    const d = oneHot(Uint8Array.from([1]), 2, { dtype: "float64" });
    expect(d.dtype).toBe("float64");
    expect(d.toArray()).toEqual([[0, 1]]);
    expect(oneHot([], 4).shape).toEqual([0, 4]);
  });

  it("throws an IndexError naming a label outside [0, numClasses), a ValueError for a bad numClasses", () => {
    expect(() => oneHot([0, 3], 3)).toThrow(core.IndexError);
    expect(() => oneHot([0, 3], 3)).toThrow(/label 3 at index 1 is outside \[0, 3\)/);
    expect(() => oneHot([-1], 3)).toThrow(core.IndexError);
    expect(() => oneHot([0.5], 3)).toThrow(core.IndexError);
    expect(() => oneHot([0], 0)).toThrow(core.ValueError);
  });
});

describe("argmax on a Var", () => {
  it("returns a Tensor of indices (not a node of the graph), first on ties", () => {
    const x = param(f64([1, 5, 5, 7, 0, 2], [2, 3]));
    const rows = argmax(x, 1);
    expect(rows).toBeInstanceOf(core.Tensor);
    expect(Array.from(rows.data)).toEqual([1, 0]);
    expect(argmax(x).item()).toBe(3);
    expect(argmax(x, 0, true).shape).toEqual([1, 3]);
  });
});
