import * as core from "@slope/core";
import { describe, expect, it } from "vitest";
import { customOp } from "../custom-op.js";
import { l2, linear, softmaxCrossEntropy, svmLoss } from "../losses/index.js";
import { add, matmul, mul, sum } from "../ops/index.js";
import { type Var, noGrad, param } from "../var.js";
import "../methods/install-all.js"; // loss.backward() and the other methods of Var
import { gradCheck, gradCheckSparse, numericalGradient, relError } from "./index.js";

const f64 = (v: core.NestedArray) => core.tensor(v, { dtype: "float64" });

describe("gradient checking", () => {
  it("numericalGradient of Σ x³ is 3x², and every coordinate it touched is restored bit for bit", () => {
    const x = f64([0.5, -1.25, 2]);
    const before = x.data.slice();
    const g = numericalGradient((t) => Array.from(t.data).reduce((s, v) => s + v ** 3, 0), x);
    expect(relError(g, f64([0.75, 4.6875, 12]))).toBeLessThan(1e-9);
    expect(x.data).toEqual(before);
  });

  it("the forward difference is less accurate than the central one (O(h) against O(h²))", () => {
    const x = f64([1]);
    const f = (t: core.Tensor) => Math.exp(t.data[0]!);
    const central = Math.abs(numericalGradient(f, x).item() - Math.E);
    const forward = Math.abs(numericalGradient(f, x, { method: "forward" }).item() - Math.E);
    expect(forward).toBeGreaterThan(100 * central);
    expect(() => numericalGradient(f, x, { h: 0 })).toThrow(/h must be a positive finite number, got 0/);
    expect(() => numericalGradient(f, x, { method: "backward" as never })).toThrow(/"central" or "forward"/);
  });

  it("restores x even when f throws", () => {
    const x = f64([1, 2]);
    expect(() =>
      numericalGradient(() => {
        throw new Error("boom");
      }, x),
    ).toThrow("boom");
    expect(Array.from(x.data)).toEqual([1, 2]);
  });

  it("relError is max|a − b| / max(|a| + |b|)", () => {
    expect(relError(f64([1, 2]), f64([1, 2]))).toBe(0);
    expect(relError(f64([1, 0]), f64([1.5, 0]))).toBeCloseTo(0.5 / 2.5, 15);
    expect(relError(f64([0]), f64([0]))).toBe(0);
    expect(() => relError(f64([1]), f64([1, 2]))).toThrow(/shapes differ/);
  });

  it("gradCheck passes a correct gradient and reports the worst coordinate", () => {
    const rng = new core.Rng(3);
    const X = core.randn([4, 5], { rng, dtype: "float64" });
    const W = core.randn([5, 3], { rng, dtype: "float64" });
    const result = gradCheck((x, w) => softmaxCrossEntropy(linear(x, w), [0, 1, 2, 1]), [X, W]);
    expect(result.ok).toBe(true);
    expect(result.maxRelError).toBeLessThan(1e-7);
    expect(result.relErrors).toHaveLength(2);
    expect(result.worst).not.toBeNull();
    expect(result.warning).toBeUndefined();
  });

  it("gradCheck catches a custom op whose hand-written gradient is wrong, and passes a right one", () => {
    const cube = (factor: number) =>
      customOp({
        name: "cube",
        forward: (x) => core.mul(core.mul(x, x), x),
        backward: (g, _y, [x]) => [core.mul(g, core.mul(core.square(x!), factor))],
      });
    const x = f64([0.3, -0.7, 1.1]);
    const right = gradCheck((v) => sum(cube(3)(v)), [x]);
    expect(right.ok).toBe(true);
    const wrong = gradCheck((v) => sum(cube(2)(v)), [x]);
    expect(wrong.ok).toBe(false);
    expect(wrong.maxRelError).toBeGreaterThan(0.1);
    expect(wrong.worst!.index).toEqual([2]);
  });

  it("a custom op's gradient of the wrong shape is an error naming the op", () => {
    const bad = customOp({ name: "bad", forward: (x) => x, backward: () => [f64([1, 2, 3])] });
    expect(() => sum(bad(param(f64([1])))).backward()).toThrow(
      /bad: backward returned a gradient of shape \[3\] for input 0 of shape \[1\]/,
    );
  });

  it("gradCheck says that float32 needs a loose tolerance", () => {
    const result = gradCheck((v) => sum(v.square()), [core.tensor([1, 2])]);
    expect(result.warning).toMatch(/float32/);
  });

  it("gradCheckSparse checks random coordinates as the lecture does", () => {
    const rng = new core.Rng(4);
    const X = core.randn([6, 8], { rng, dtype: "float64" });
    const W = core.randn([8, 4], { rng, dtype: "float64" });
    const y = [0, 1, 2, 3, 0, 1];
    const loss = (w: core.Tensor) => noGrad(() => softmaxCrossEntropy(linear(X, w), y).item());
    const Wp = param(W);
    softmaxCrossEntropy(linear(X, Wp), y).backward();
    const result = gradCheckSparse(loss, W, Wp.grad!, { checks: 12, rng });
    expect(result.checks).toHaveLength(12);
    expect(result.maxRelError).toBeLessThan(1e-7);
    const wrong = gradCheckSparse(loss, W, core.mul(Wp.grad!, 1.5), { checks: 5, rng });
    expect(wrong.maxRelError).toBeGreaterThan(0.1);
    expect(() => gradCheckSparse(loss, W, Wp.grad!, {} as never)).toThrow(/an rng is required/);
  });
});

describe("gradCheck on float32 (the default dtype)", () => {
  const rng = new core.Rng("float32 gradcheck");
  const x = core.randn([20, 30], { rng }),
    labels = Array.from({ length: 20 }, (_, i) => i % 10);
  const scale = (factor: number) =>
    customOp({
      name: "scale",
      forward: (v) => core.mul(v, 2),
      backward: (g) => [core.mul(g, factor)],
    });

  it("passes a correct float32 model with its defaults (its float32 constants are promoted with the inputs)", () => {
    const W = core.randn([30, 10], { rng, std: 0.01 });
    const model = (w: Var) => add(softmaxCrossEntropy(matmul(x, w), labels), mul(l2(w), 0.5));
    const result = gradCheck(model, [W]);
    expect(result.ok).toBe(true);
    expect(result.maxRelError).toBeLessThan(1e-4);
    expect(result.warning).toMatch(/differenced in float64/);
    expect(gradCheck((w) => svmLoss(matmul(x, w), labels), [core.randn([30, 10], { rng })]).ok).toBe(true);
  });

  it("passes a correct float32 model holding a float32 Var (differenced in float32 with h and tol for float32)", () => {
    const bias = param(core.randn([10], { rng, std: 0.1 }));
    const model = (w: Var) => softmaxCrossEntropy(add(matmul(x, w), bias), labels);
    const result = gradCheck(model, [core.randn([30, 10], { rng, std: 0.01 })]);
    expect(result.warning).toMatch(/differenced in float32/);
    expect(result.ok).toBe(true);
  });

  it("still fails a wrong float32 gradient, off by 10 %, in either mode", () => {
    const v = core.randn([6], { rng });
    expect(gradCheck((w) => sum(scale(2)(w)), [v]).ok).toBe(true);
    expect(gradCheck((w) => sum(scale(2.2)(w)), [v]).ok).toBe(false);
    const held = param(core.randn([6], { rng }));
    expect(gradCheck((w) => sum(mul(scale(2)(w), held)), [v]).ok).toBe(true);
    expect(gradCheck((w) => sum(mul(scale(2.2)(w), held)), [v]).ok).toBe(false);
  });
});
