// The lecture's gradient check through real data: 100 CIFAR-10 records (synthetic records of the
// same shape when the fixture is absent), float64, mean-subtracted, bias column appended,
// linear → svmLoss / softmaxCrossEntropy + reg·l2(W) with W = 0.0001·randn, analytic against
// numerical by gradCheckSparse. Relative errors below 1e-7 (1e-4 at the hinge's kinks).
import {
  add,
  constant,
  gradCheckSparse,
  l2,
  linear,
  mul,
  noGrad,
  param,
  softmaxCrossEntropy,
  svmLoss,
} from "@slope/autograd";
import { Rng, type Tensor, randn } from "@slope/core";
import { meanImage, parseCifar10, syntheticCifar, toFeatures } from "@slope/data";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FIXTURE_100, available } from "./support/datasets.js";

const records = available(FIXTURE_100, "the real-data gradient check (synthetic records are used instead)")
  ? parseCifar10(new Uint8Array(readFileSync(FIXTURE_100)), { file: FIXTURE_100 })
  : syntheticCifar({ count: 100, rng: new Rng("fixture-stand-in") });
const X = toFeatures(records.images, records.count, {
  dtype: "float64",
  mean: meanImage(records.images, records.count, "float64"),
  bias: true,
});
const y = records.labels;
const reg = 0.5;

const losses = {
  svm: { node: svmLoss, tol: 1e-4 },
  softmax: { node: softmaxCrossEntropy, tol: 1e-7 },
};

describe("gradient check on CIFAR-10 records", () => {
  it.each(Object.entries(losses))(
    "%s: analytic gradient of data + reg·l2(W) agrees with the numerical one at random coordinates",
    (_, { node, tol }) => {
      const W0 = randn([3073, 10], { rng: new Rng(1), std: 1e-4, dtype: "float64" });
      const full = (w: Tensor | ReturnType<typeof param>) => add(node(linear(constant(X), w), y), mul(l2(w), reg));
      const W = param(W0);
      full(W).backward();
      // Raw pixels (±128) make the loss's third derivative large, so at h = 1e-5 the central
      // difference's truncation error h²·f‴/6 reaches ~1e-6 relative; h = 1e-6 balances it against
      // rounding. The O(h²) shrinkage between the two proves the gap is the estimate's, not the gradient's.
      const check = (h: number) =>
        gradCheckSparse((w) => noGrad(() => full(w).item()), W0, W.grad!, { checks: 20, rng: new Rng(2), h });
      const result = check(1e-6);
      expect(result.checks).toHaveLength(20);
      expect(result.maxRelError).toBeLessThan(tol);
      if (tol < 1e-4) expect(check(1e-5).maxRelError / result.maxRelError).toBeGreaterThan(20);
    },
  );

  it("the lecture's sanity figures with W ≈ 0: softmax ≈ −log(0.1) ≈ 2.303, SVM ≈ C − 1 = 9", () => {
    // The limits hold as W → 0; at W = 1e-4·randn the raw-pixel scores already spread by ~0.3
    // (softmax ≈ 2.4, SVM ≈ 9.5), so the check uses 1e-6·randn.
    const W = randn([3073, 10], { rng: new Rng(3), std: 1e-6, dtype: "float64" });
    expect(softmaxCrossEntropy(linear(X, W), y).item()).toBeCloseTo(-Math.log(0.1), 2);
    expect(svmLoss(linear(X, W), y).item()).toBeCloseTo(9, 1);
  });
});
