import * as core from "@slope/core";
import { describe, expect, it } from "vitest";
import { grad } from "./backward.js";
import { numericalGradient } from "./gradcheck/numerical-gradient.js";
import { relError } from "./gradcheck/rel-error.js";
import { div, exp, log, matmul, mul, sigmoid, sum, tanh } from "./ops/index.js";
import { softmaxCrossEntropy } from "./losses/index.js";
import { type Var, noGrad, constant } from "./var.js";

const rng = new core.Rng("second-derivatives");
const f64 = (shape: number[], low = -1.5, high = 1.5) => core.rand(shape, { rng, low, high, dtype: "float64" });

/**
 * Checks the Hessian-vector product H·v of f at x, taken as grad of x ↦ ⟨∇f(x), v⟩, against central
 * differences of that first gradient: the test TensorFlow.js fails for tanh, sigmoid and exp (tfjs#3252).
 */
function checkSecondDerivative(f: (x: Var) => Var, x: core.Tensor, tol = 1e-7): number {
  const v = core.rand(x.shape as number[], { rng, low: -1, high: 1, dtype: "float64" });
  const directional = (y: Var) => sum(mul(grad(f)(y), v));
  const analytic = grad(directional)(x).value;
  const numeric = numericalGradient((t) => noGrad(() => directional(constant(t)).item()), x);
  const error = relError(analytic, numeric);
  expect(error).toBeLessThan(tol);
  return error;
}

describe("higher-order gradients: grad(grad(f)) against numerical differentiation of grad(f)", () => {
  it("scalar second derivatives are exact: d²/dx² tanh = −2 tanh(1 − tanh²)", () => {
    const d2 = grad(grad((x) => sum(tanh(x))));
    for (const x of [-2, -0.3, 0, 0.7, 3]) {
      const t = Math.tanh(x);
      expect(d2(core.tensor([x], { dtype: "float64" })).item()).toBeCloseTo(-2 * t * (1 - t * t), 14);
    }
    const d3 = grad(grad(grad((x) => sum(exp(x)))));
    expect(d3(core.tensor([0.5], { dtype: "float64" })).item()).toBeCloseTo(Math.exp(0.5), 14);
  });

  it.each([
    ["tanh", (x: Var) => sum(tanh(x))],
    ["sigmoid", (x: Var) => sum(sigmoid(x))],
    ["exp", (x: Var) => sum(exp(x))],
    ["mul", (x: Var) => sum(mul(mul(x, x), x))],
  ])("%s", (_, f) => {
    checkSecondDerivative(f, f64([3, 4]));
  });

  it("log", () => checkSecondDerivative((x) => sum(log(x)), f64([3, 4], 0.5, 2)));
  it("div", () => checkSecondDerivative((x) => sum(div(1, x)), f64([3, 4], 0.5, 2)));

  it("matmul (x ↦ Σ (xW)² has Hessian 2WWᵀ per row)", () => {
    const W = f64([4, 3]);
    checkSecondDerivative((x) => sum(mul(matmul(x, W), matmul(x, W))), f64([2, 4]));
  });

  it("softmaxCrossEntropy", () => {
    checkSecondDerivative((s) => softmaxCrossEntropy(s, [2, 0, 1]), f64([3, 4]));
  });
});
