import * as core from "@slope/core";
import { type Var, grad, gradCheck, mul, param, sigmoid, sum } from "@slope/autograd";
import { describe, expect, it } from "vitest";
import { binaryCrossEntropy } from "./binary-cross-entropy.js";
import { binaryCrossEntropyWithLogits } from "./binary-cross-entropy-with-logits.js";
import { logSigmoid } from "./log-sigmoid.js";

const LN2 = Math.LN2;
const f64 = (values: core.NestedArray) => core.tensor(values, { dtype: "float64" });

function expectValues(actual: Var | core.Tensor, expected: number[], shape: number[], tolerance = 1e-14): void {
  const t = actual instanceof core.Tensor ? actual : actual.value;
  expect(t.shape).toEqual(shape);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(t.data[i]! - expected[i]!) <= tolerance * Math.max(1, Math.abs(expected[i]!)))) {
      throw new Error(`element ${i}: got ${t.data[i]}, expected ${expected[i]}`);
    }
  }
}

describe("binaryCrossEntropy", () => {
  it("is −[y·log x + (1 − y)·log(1 − x)], times the weight, reduced", () => {
    const x = f64([0.5, 0.25]);
    const y = f64([1, 0]);
    expectValues(binaryCrossEntropy(x, y, { reduction: "none" }), [LN2, Math.log(4 / 3)], [2]);
    expectValues(binaryCrossEntropy(x, y), [(LN2 + Math.log(4 / 3)) / 2], []);
    const weighted = binaryCrossEntropy(x, y, { weight: f64([2, 3]), reduction: "sum" });
    expectValues(weighted, [2 * LN2 + 3 * Math.log(4 / 3)], []);
    expectValues(binaryCrossEntropy(x, f64([0.5, 0.5]), { reduction: "none" }), [LN2, 0.5 * Math.log(16 / 3)], [2]);
  });

  it("clamps its logarithms at −100 (PyTorch's rule) and then has finite gradients", () => {
    const x = param(f64([0, 1, 0, 1]));
    const loss = binaryCrossEntropy(x, f64([1, 0, 0, 1]), { reduction: "none" });
    expectValues(loss, [100, 100, 0, 0], [4]);
    sum(loss).backward();
    for (const g of x.grad!.data) expect(Number.isFinite(g)).toBe(true);
  });

  it("broadcasts a weight over the input", () => {
    const x = f64([
      [0.5, 0.5],
      [0.5, 0.5],
    ]);
    const y = f64([
      [1, 1],
      [0, 0],
    ]);
    const losses = binaryCrossEntropy(x, y, { weight: f64([1, 3]), reduction: "none" });
    expectValues(losses, [LN2, 3 * LN2, LN2, 3 * LN2], [2, 2]);
  });

  it("propagates NaN, and throws ValueError for values outside [0, 1], ShapeError, DTypeError", () => {
    expect(Number.isNaN(binaryCrossEntropy(f64([NaN]), f64([1])).item())).toBe(true);
    const outside = /input must be in \[0, 1\], got 1.5 at flat index 0/;
    expect(() => binaryCrossEntropy(f64([1.5]), f64([1]))).toThrow(outside);
    expect(() => binaryCrossEntropy(f64([0.5]), f64([-1]))).toThrow(core.ValueError);
    expect(() => binaryCrossEntropy(f64([0.5]), f64([1, 0]))).toThrow(core.ShapeError);
    expect(() => binaryCrossEntropy(f64([0.5, 0.5]), f64([1, 0]), { weight: f64([1, 2, 3]) })).toThrow(core.ShapeError);
    expect(() => binaryCrossEntropy(f64([0.5]), core.tensor([1], { dtype: "float32" }))).toThrow(core.DTypeError);
  });
});

describe("binaryCrossEntropyWithLogits", () => {
  it("is −[y·log σ(x) + (1 − y)·log(1 − σ(x))] by hand", () => {
    const x = f64([0, Math.log(3), Math.log(3)]); // σ = ½, ¾, ¾
    const y = f64([1, 0, 1]);
    expectValues(binaryCrossEntropyWithLogits(x, y, { reduction: "none" }), [LN2, Math.log(4), Math.log(4 / 3)], [3]);
    const weighted = binaryCrossEntropyWithLogits(x, y, { reduction: "sum", weight: f64([1, 2, 3]) });
    expectValues(weighted, [LN2 + 2 * Math.log(4) + 3 * Math.log(4 / 3)], []);
  });

  it("weighs the positive term by posWeight: −[p·y·log σ(x) + (1 − y)·log(1 − σ(x))]", () => {
    expectValues(binaryCrossEntropyWithLogits(f64([0]), f64([1]), { posWeight: f64([2]) }), [2 * LN2], []);
    expectValues(binaryCrossEntropyWithLogits(f64([0]), f64([0.5]), { posWeight: f64([3]) }), [2 * LN2], []);
    // posWeight [C] broadcast over rows, one per class
    const x = f64([
      [0, 0],
      [0, 0],
    ]);
    const y = f64([
      [1, 1],
      [0, 1],
    ]);
    const losses = binaryCrossEntropyWithLogits(x, y, { posWeight: f64([2, 5]), reduction: "none" });
    expectValues(losses, [2 * LN2, 5 * LN2, LN2, 5 * LN2], [2, 2]);
  });

  it("is exact at |logit| = 1e4, in float64 and float32, with posWeight too", () => {
    for (const dtype of ["float64", "float32"] as const) {
      const x = core.tensor([1e4, -1e4, 1e4, -1e4], { dtype });
      const y = core.tensor([0, 1, 1, 0], { dtype });
      expectValues(binaryCrossEntropyWithLogits(x, y, { reduction: "none" }), [1e4, 1e4, 0, 0], [4], 0);
      const p = core.tensor([3], { dtype });
      expectValues(binaryCrossEntropyWithLogits(x, y, { reduction: "none", posWeight: p }), [1e4, 3e4, 0, 0], [4], 0);
      const logits = param(x);
      binaryCrossEntropyWithLogits(logits, y, { reduction: "sum" }).backward();
      expectValues(logits.grad!, [1, -1, 0, 0], [4], 0); // σ(x) − y
    }
  });

  it("keeps full relative precision for moderate logits (log1p, not log(1 + ·))", () => {
    const loss = binaryCrossEntropyWithLogits(f64([40, -40, 20]), f64([1, 0, 1]), { reduction: "none" });
    expectValues(loss, [Math.log1p(Math.exp(-40)), Math.log1p(Math.exp(-40)), Math.log1p(Math.exp(-20))], [3], 1e-15);
    expect(loss.value.data[0]).toBeGreaterThan(0);
  });

  it("has the gradient σ(x) − y also at x = 0 (the seam of the stable form), and σ(1 − σ) as second derivative", () => {
    const x = param(f64([0, 0, 2]));
    binaryCrossEntropyWithLogits(x, f64([1, 0, 0.25]), { reduction: "sum" }).backward();
    expectValues(x.grad!, [-0.5, 0.5, 1 / (1 + Math.exp(-2)) - 0.25], [3]);
    const loss = (u: Var) => binaryCrossEntropyWithLogits(u, f64([1, 0, 0.25]), { reduction: "sum" });
    const second = grad((v: Var) => sum(grad(loss)(v)));
    const s = sigmoid(f64([0, 0, 2])).value.data;
    expectValues(
      second(f64([0, 0, 2])),
      [...s].map((p) => p * (1 - p)),
      [3],
    );
  });

  it("propagates NaN and checks shapes, dtypes and weights", () => {
    expect(Number.isNaN(binaryCrossEntropyWithLogits(f64([NaN]), f64([1])).item())).toBe(true);
    expect(() => binaryCrossEntropyWithLogits(f64([0]), f64([1, 0]))).toThrow(core.ShapeError);
    const posWeight = f64([1, 2, 3]);
    expect(() => binaryCrossEntropyWithLogits(f64([0, 1]), f64([1, 0]), { posWeight })).toThrow(
      /posWeight of shape \[3\]/,
    );
    const p32 = core.tensor([1], { dtype: "float32" });
    expect(() => binaryCrossEntropyWithLogits(f64([0]), f64([1]), { posWeight: p32 })).toThrow(core.DTypeError);
  });
});

describe("logSigmoid", () => {
  it("is min(x, 0) − log1p(e^−|x|): exact at ±1e4, accurate at 0 and ±30", () => {
    const tail = Math.log1p(Math.exp(-30));
    expectValues(logSigmoid(f64([1e4, -1e4, 0, 30, -30])), [0, -1e4, -LN2, -tail, -30 - tail], [5], 1e-15);
  });
});

describe("gradients (float64, central differences)", () => {
  const rng = new core.Rng("binary-loss-gradients");
  const randn = (shape: number[]) => core.randn(shape, { rng, dtype: "float64" });
  const unit = (shape: number[]) => core.rand(shape, { rng, low: 0.05, high: 0.95, dtype: "float64" });
  const coefficients = randn([3, 4]);

  it("of binaryCrossEntropy with respect to input, target and weight", () => {
    const inputs = [unit([3, 4]), unit([3, 4]), randn([4])];
    const result = gradCheck((x, y, w) => binaryCrossEntropy(x, y, { weight: w }), inputs);
    expect(result.maxRelError).toBeLessThan(1e-7);
    const perElement = (x: Var, y: Var) => sum(mul(binaryCrossEntropy(x, y, { reduction: "none" }), coefficients));
    const none = gradCheck(perElement, [unit([3, 4]), unit([3, 4])]);
    expect(none.maxRelError).toBeLessThan(1e-7);
  });

  it("of binaryCrossEntropyWithLogits with respect to logits, target, weight and posWeight (x = 0 included)", () => {
    const logits = core.mul(randn([3, 4]), 3);
    logits.data[5] = 0;
    const result = gradCheck(
      (x, y, w, p) => binaryCrossEntropyWithLogits(x, y, { weight: w, posWeight: p }),
      [logits, unit([3, 4]), randn([3, 1]), core.add(unit([4]), 1)],
    );
    expect(result.maxRelError).toBeLessThan(1e-7);
    const perElement = (x: Var, y: Var) =>
      sum(mul(binaryCrossEntropyWithLogits(x, y, { reduction: "none" }), coefficients));
    const none = gradCheck(perElement, [logits, unit([3, 4])]);
    expect(none.maxRelError).toBeLessThan(1e-7);
  });
});
