import * as core from "@slope/core";
import { type Var, gradCheck, mul, sum } from "@slope/autograd";
import { describe, expect, it } from "vitest";
import { klDiv } from "./kl-div.js";

const f64 = (values: core.NestedArray) => core.tensor(values, { dtype: "float64" });

function expectValues(actual: Var, expected: number[], shape: number[]): void {
  expect(actual.shape).toEqual(shape);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual.value.data[i]! - expected[i]!) <= 1e-14 * Math.max(1, Math.abs(expected[i]!)))) {
      throw new Error(`element ${i}: got ${actual.value.data[i]}, expected ${expected[i]}`);
    }
  }
}

// log p for p = [[¼, ¾], [½, ½]]; targets t = [[½, ½], [0, 1]]
const input = () =>
  f64([
    [Math.log(0.25), Math.log(0.75)],
    [Math.log(0.5), Math.log(0.5)],
  ]);
const target = () =>
  f64([
    [0.5, 0.5],
    [0, 1],
  ]);
const pointwise = [0.5 * Math.log(2), 0.5 * Math.log(2 / 3), 0, Math.log(2)];
const total = pointwise.reduce((a, b) => a + b, 0);

describe("klDiv", () => {
  it("is t·(log t − x) elementwise with 0·log 0 = 0, reduced by mean, batchmean, sum or none", () => {
    expectValues(klDiv(input(), target(), { reduction: "none" }), pointwise, [2, 2]);
    expectValues(klDiv(input(), target()), [total / 4], []);
    expectValues(klDiv(input(), target(), { reduction: "batchmean" }), [total / 2], []);
    expectValues(klDiv(input(), target(), { reduction: "sum" }), [total], []);
  });

  it("batchmean of a scalar input divides by a batch of one", () => {
    const loss = klDiv(core.scalar(Math.log(0.25), "float64"), core.scalar(0.5, "float64"), { reduction: "batchmean" });
    expectValues(loss, [0.5 * Math.log(2)], []);
  });

  it("takes log-probability targets with logTarget: e^t·(t − x)", () => {
    // log 0 given as −1000 (e^−1000 = 0): −∞ itself gives e^−∞·(−∞ − x) = NaN, as in PyTorch
    const logTarget = f64([
      [Math.log(0.5), Math.log(0.5)],
      [-1000, 0],
    ]);
    expectValues(klDiv(input(), logTarget, { logTarget: true, reduction: "none" }), pointwise, [2, 2]);
  });

  it("propagates NaN and throws named errors for bad shapes, dtypes and reductions", () => {
    expect(Number.isNaN(klDiv(f64([NaN]), f64([0.5])).item())).toBe(true);
    expect(Number.isNaN(klDiv(f64([0]), f64([NaN])).item())).toBe(true);
    expect(() => klDiv(input(), f64([0.5, 0.5]))).toThrow(core.ShapeError);
    expect(() => klDiv(input(), core.cast(target(), "float32"))).toThrow(core.DTypeError);
    expect(() => klDiv(input(), target(), { reduction: "batch" as "mean" })).toThrow(core.ValueError);
  });

  it("has gradients −t for x and log t + 1 − x for t (float64, central differences)", () => {
    const rng = new core.Rng("kl-div-gradients");
    const x = core.log(core.rand([3, 4], { rng, low: 0.1, high: 1, dtype: "float64" }));
    const t = core.rand([3, 4], { rng, low: 0.1, high: 1, dtype: "float64" });
    const c = core.randn([3, 4], { rng, dtype: "float64" });
    for (const reduction of ["mean", "batchmean", "sum"] as const) {
      expect(gradCheck((a, b) => klDiv(a, b, { reduction }), [x, t]).maxRelError).toBeLessThan(1e-7);
      const logTarget = gradCheck((a, b) => klDiv(a, b, { reduction, logTarget: true }), [x, core.log(t)]);
      expect(logTarget.maxRelError).toBeLessThan(1e-7);
    }
    expect(gradCheck((a, b) => sum(mul(klDiv(a, b, { reduction: "none" }), c)), [x, t]).maxRelError).toBeLessThan(1e-7);
  });
});
