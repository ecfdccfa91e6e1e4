// Batch normalization, layer normalization and dropout inside small real networks, checked against the
// numerical gradient in float64 with respect to every parameter and the input: relative error < 1e-7.
import * as ag from "@slope/autograd";
import { type Var, gradCheck } from "@slope/autograd";
import * as core from "@slope/core";
import { describe, expect, it } from "vitest";

const SMOOTH = 1e-7;
const rng = new core.Rng("cross-package-normalization");
const normal = (shape: number[], std = 1) => core.randn(shape, { rng, dtype: "float64", std });
const positive = (shape: number[]) => core.rand(shape, { rng, low: 0.5, high: 2, dtype: "float64" });
const labels = [2, 0, 1, 1, 2, 0];

describe("gradient checks through normalization layers (float64)", () => {
  it("linear (no bias, as before a batch norm) → batchNorm (training) → tanh → linear → softmax cross-entropy", () => {
    const f = (x: Var, w1: Var, gamma: Var, beta: Var, w2: Var) => {
      const h = ag.batchNorm(ag.linear(x, w1), null, null, gamma, beta, { training: true });
      return ag.softmaxCrossEntropy(ag.linear(ag.tanh(h), w2), labels);
    };
    const inputs = [normal([6, 4]), normal([4, 5]), positive([5]), normal([5]), normal([5, 3])];
    expect(gradCheck(f, inputs).maxRelError).toBeLessThan(SMOOTH);
  });

  it("a bias before a training batchNorm gets a zero gradient (the batch mean cancels it)", () => {
    // Why the test above has no bias: both gradients are rounding noise, so their relative error means nothing.
    const b = ag.param(normal([5]));
    const z = ag.linear(normal([6, 4]), normal([4, 5]), b);
    const h = ag.batchNorm(z, null, null, positive([5]), null, { training: true });
    ag.softmaxCrossEntropy(ag.linear(ag.tanh(h), normal([5, 3])), labels).backward();
    for (let c = 0; c < 5; c++) expect(Math.abs(b.grad!.data[c]!)).toBeLessThan(1e-14);
  });

  it("batchNorm2d-shaped [N, C, H, W] in eval mode with running statistics from one training step", () => {
    const runningMean = core.zeros([3], { dtype: "float64" }),
      runningVar = core.ones([3], { dtype: "float64" });
    ag.batchNorm(normal([4, 3, 2, 2], 2), runningMean, runningVar, null, null, { training: true, momentum: 0.5 });
    const w = normal([4, 3, 2, 2]);
    const f = (x: Var, gamma: Var, beta: Var) => {
      const y = ag.batchNorm(x, runningMean, runningVar, gamma, beta, { training: false });
      return ag.sum(ag.mul(ag.sigmoid(y), w));
    };
    expect(gradCheck(f, [normal([4, 3, 2, 2]), positive([3]), normal([3])]).maxRelError).toBeLessThan(SMOOTH);
  });

  it("two stacked batchNorm2d-shaped layers in training, the second without affine parameters", () => {
    const w = normal([3, 2, 3, 3]);
    const f = (x: Var, gamma: Var, beta: Var) => {
      const a = ag.tanh(ag.batchNorm(x, null, null, gamma, beta, { training: true }));
      return ag.sum(ag.mul(ag.batchNorm(ag.mul(a, a), null, null, null, null, { training: true }), w));
    };
    expect(gradCheck(f, [normal([3, 2, 3, 3]), positive([2]), normal([2])]).maxRelError).toBeLessThan(SMOOTH);
  });

  it("linear → layerNorm → dropout (seeded mask) → tanh → linear → softmax cross-entropy", () => {
    const f = (x: Var, w1: Var, gamma: Var, beta: Var, w2: Var) => {
      const h = ag.layerNorm(ag.linear(x, w1), [5], gamma, beta);
      const d = ag.dropout(h, 0.3, new core.Rng("fixed-mask"));
      return ag.softmaxCrossEntropy(ag.linear(ag.tanh(d), w2), labels);
    };
    const inputs = [normal([6, 4]), normal([4, 5]), positive([5]), normal([5]), normal([5, 3])];
    expect(gradCheck(f, inputs).maxRelError).toBeLessThan(SMOOTH);
  });

  it("layerNorm over the last three dims of an image batch, then batchNorm over its channels", () => {
    const w = normal([2, 3, 2, 2]);
    const f = (x: Var, gamma: Var, beta: Var) => {
      const y = ag.layerNorm(x, [3, 2, 2], gamma, beta);
      return ag.sum(ag.mul(ag.tanh(ag.batchNorm(y, null, null, null, null, { training: true })), w));
    };
    const inputs = [normal([2, 3, 2, 2]), positive([3, 2, 2]), normal([3, 2, 2])];
    expect(gradCheck(f, inputs).maxRelError).toBeLessThan(SMOOTH);
  });
});
