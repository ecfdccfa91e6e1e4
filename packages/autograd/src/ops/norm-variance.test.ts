import * as core from "@slope/core";
import { describe, expect, it } from "vitest";
import { grad } from "../backward.js";
import { param } from "../var.js";
import "../methods/install-all.js"; // loss.backward() and the other methods of Var
import { logSumExp } from "./log-sum-exp.js";
import { norm } from "./norm.js";
import { sum } from "./sum.js";
import { std, variance } from "./variance.js";

const f64 = (values: number[], shape = [values.length]) => core.tensor(values, { dtype: "float64", shape });

describe("variance and std", () => {
  it("use Bessel's correction by default and torch's `correction` when given", () => {
    const x = f64([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(variance(x).item()).toBeCloseTo(32 / 7, 15);
    expect(variance(x, 0, { correction: 0 }).item()).toBe(4);
    expect(std(x, undefined, { correction: 0 }).item()).toBe(2);
    expect(std(x, [0]).item()).toBeCloseTo(Math.sqrt(32 / 7), 15);
  });

  it("divide by 0 when n ≤ correction, as torch does (NaN for one element)", () => {
    expect(variance(f64([3])).item()).toBeNaN();
    expect(variance(f64([1, 3]), 0, { correction: 2 }).item()).toBe(Infinity);
  });

  it("keep the reduced axes with keepDims, and reject a negative correction", () => {
    expect(variance(f64([1, 2, 3, 4, 5, 6], [2, 3]), [0, 1], { keepDims: true }).shape).toEqual([1, 1]);
    expect(() => variance(f64([1, 2]), 0, { correction: -1 })).toThrow(core.ValueError);
    expect(() => variance(f64([1, 2]), 1)).toThrow();
  });
});

describe("norm", () => {
  it("is the Frobenius norm by default and a vector p-norm over the axes given", () => {
    expect(norm(f64([1, 2, 2, 4], [2, 2])).item()).toBe(5);
    expect(Array.from(norm(f64([3, 4, 6, 8], [2, 2]), { axis: 1 }).value.data)).toEqual([5, 10]);
    expect(norm(f64([3, 4, 6, 8], [2, 2]), { axis: 0, keepDims: true }).shape).toEqual([1, 2]);
  });

  it("rejects p ≤ 0 and non-numbers with a ValueError naming p", () => {
    for (const p of [0, -1, Number.NaN]) expect(() => norm(f64([1]), { p })).toThrow(core.ValueError);
    expect(() => norm(f64([1]), { p: 0 })).toThrow(/got 0/);
  });

  it("has gradient 0 (not NaN) at x = 0, like PyTorch, and x/‖x‖ elsewhere", () => {
    const x = param(f64([0, 0, 3, 4], [2, 2]));
    sum(norm(x, { axis: 1 })).backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 0, 0.6, 0.8]);
    expect(Array.from(grad((v) => norm(v, { p: 3 }))(f64([0, 0])).value.data)).toEqual([0, 0]);
  });
});

describe("logSumExp", () => {
  it("is m + log Σ e^(x − m): exact at ±1e4, keepDims keeps the axis", () => {
    expect(logSumExp(f64([1e4, 1e4])).item()).toBe(1e4 + Math.LN2);
    expect(logSumExp(f64([-1e4, -1e4])).item()).toBe(-1e4 + Math.LN2);
    expect(logSumExp(f64([1, 2, 3, 4], [2, 2]), 1, true).shape).toEqual([2, 1]);
  });

  it("has the softmax as its gradient", () => {
    const g = grad((v) => logSumExp(v))(f64([0, Math.log(3)])).value.data;
    expect(g[0]).toBeCloseTo(0.25, 15);
    expect(g[1]).toBeCloseTo(0.75, 15);
  });
});
