import * as core from "@slope/core";
import { type Var, gradCheck, mul, sum } from "@slope/autograd";
import { describe, expect, it } from "vitest";
import { huberLoss } from "./huber-loss.js";
import { l1Loss } from "./l1-loss.js";
import { mseLoss } from "./mse-loss.js";

const f64 = (values: core.NestedArray) => core.tensor(values, { dtype: "float64" });

function expectValues(actual: Var, expected: number[], shape: number[]): void {
  expect(actual.shape).toEqual(shape);
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs(actual.value.data[i]! - expected[i]!) > 1e-14 * Math.max(1, Math.abs(expected[i]!))) {
      throw new Error(`element ${i}: got ${actual.value.data[i]}, expected ${expected[i]}`);
    }
  }
}

const x = () =>
  f64([
    [1, 2, 3],
    [0.5, -1, 4],
  ]);
const y = () =>
  f64([
    [0, 2, 5],
    [0, 1, 1],
  ]); // r = x − y = [[1, 0, −2], [0.5, −2, 3]]

describe("mseLoss, l1Loss and huberLoss by hand", () => {
  it("mseLoss is (x − y)² reduced by mean, sum or none", () => {
    expectValues(mseLoss(x(), y(), { reduction: "none" }), [1, 0, 4, 0.25, 4, 9], [2, 3]);
    expectValues(mseLoss(x(), y()), [18.25 / 6], []);
    expectValues(mseLoss(x(), y(), { reduction: "sum" }), [18.25], []);
  });

  it("l1Loss is |x − y| reduced by mean, sum or none", () => {
    expectValues(l1Loss(x(), y(), { reduction: "none" }), [1, 0, 2, 0.5, 2, 3], [2, 3]);
    expectValues(l1Loss(x(), y()), [8.5 / 6], []);
    expectValues(l1Loss(x(), y(), { reduction: "sum" }), [8.5], []);
  });

  it("huberLoss is ½r² for |r| < δ and δ(|r| − ½δ) beyond, δ = 1 by default", () => {
    expectValues(huberLoss(x(), y(), { reduction: "none" }), [0.5, 0, 1.5, 0.125, 1.5, 2.5], [2, 3]);
    expectValues(huberLoss(x(), y(), { reduction: "sum" }), [6.125], []);
    // δ = 2: |r| = 2 is already linear (PyTorch's strict <): 2·(2 − 1) = 2.
    expectValues(huberLoss(x(), y(), { delta: 2, reduction: "none" }), [0.5, 0, 2, 0.125, 2, 4], [2, 3]);
    expectValues(huberLoss(x(), y(), { delta: 2 }), [8.625 / 6], []);
  });

  it("propagate NaN", () => {
    const nan = f64([NaN, 1]);
    const zero = f64([0, 0]);
    for (const loss of [mseLoss, l1Loss, huberLoss]) expect(Number.isNaN(loss(nan, zero).item())).toBe(true);
  });

  it("throw ShapeError for a target of another shape, DTypeError for another dtype, ValueError for bad options", () => {
    for (const loss of [mseLoss, l1Loss, huberLoss]) {
      expect(() => loss(x(), f64([1, 2, 3]))).toThrow(core.ShapeError);
      expect(() => loss(x(), core.cast(y(), "float32"))).toThrow(core.DTypeError);
      expect(() => loss(x(), y(), { reduction: "batchmean" as "mean" })).toThrow(core.ValueError);
    }
    expect(() => mseLoss(x(), y())).not.toThrow();
    expect(() => huberLoss(x(), y(), { delta: 0 })).toThrow(core.ValueError);
  });
});

describe("gradients (float64, central differences)", () => {
  const rng = new core.Rng("regression-loss-gradients");
  const randn = (shape: number[]) => core.randn(shape, { rng, dtype: "float64" });
  const coefficients = randn([3, 4]);
  /** Input and target 0.3 apart at least, so no sample sits at l1's or huber's kinks. */
  const awayFromKinks = () => {
    const a = randn([3, 4]);
    const r = core.add(core.mul(core.sign(randn([3, 4])), 0.3), core.mul(randn([3, 4]), 0.6));
    const safe = core.where(core.less(core.abs(r), 0.3), 0.3, r);
    return [a, core.sub(a, safe)];
  };

  it("of mseLoss with respect to input and target, every reduction", () => {
    for (const reduction of ["mean", "sum"] as const) {
      expect(gradCheck((a, b) => mseLoss(a, b, { reduction }), awayFromKinks()).maxRelError).toBeLessThan(1e-7);
    }
    const none = gradCheck((a, b) => sum(mul(mseLoss(a, b, { reduction: "none" }), coefficients)), awayFromKinks());
    expect(none.maxRelError).toBeLessThan(1e-7);
  });

  it("of l1Loss away from the kink", () => {
    expect(gradCheck((a, b) => l1Loss(a, b), awayFromKinks()).maxRelError).toBeLessThan(1e-7);
  });

  it("of huberLoss in both branches, away from |r| = δ", () => {
    const [a, b] = awayFromKinks() as [core.Tensor, core.Tensor];
    const r = core.abs(core.sub(a, b));
    const linear = core.sum(core.greater(r, 0.7)).item();
    expect(linear).toBeGreaterThan(0);
    expect(linear).toBeLessThan(12);
    const perElement = (p: Var, q: Var) => sum(mul(huberLoss(p, q, { delta: 0.7, reduction: "none" }), coefficients));
    const result = gradCheck(perElement, [a, b]);
    expect(result.maxRelError).toBeLessThan(1e-7);
  });
});
