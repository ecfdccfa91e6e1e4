import * as core from "@slope/core";
import * as internal from "@slope/core/internal";
import { describe, expect, it } from "vitest";
import { GraphError, grad } from "../backward.js";
import { gradCheck } from "../gradcheck/index.js";
import { type Var, noGrad, param } from "../var.js";
import "../methods/install-all.js"; // loss.backward() and the other methods of Var
import { batchNorm } from "./batch-norm.js";
import { mul } from "./mul.js";
import { sum } from "./sum.js";

const rng = new core.Rng("batch-norm");
const normal = (shape: number[]) => core.randn(shape, { rng, dtype: "float64" });
const positive = (shape: number[]) => core.rand(shape, { rng, low: 0.5, high: 2, dtype: "float64" });
/** Σ y·w with a fixed random w, so every output gets its own upstream gradient (Σ y alone is constant in x). */
const weighted = (y: Var, w: core.Tensor) => sum(mul(y, w));

describe("batchNorm gradients against central differences (float64, relative error < 1e-7)", () => {
  const shapes = [
    [8, 3],
    [4, 3, 5],
    [3, 3, 2, 4],
  ];
  for (const training of [true, false]) {
    for (const shape of shapes) {
      for (const affine of [true, false]) {
        const mode = training ? "training" : "eval";
        it(`${mode}, x ${JSON.stringify(shape)}, ${affine ? "with" : "without"} weight and bias`, () => {
          const c = shape[1]!;
          const w = normal(shape);
          const runningMean = normal([c]),
            runningVar = positive([c]);
          const inputs = affine ? [normal(shape), normal([c]), normal([c])] : [normal(shape)];
          const f = (x: Var, gamma?: Var, beta?: Var) =>
            weighted(batchNorm(x, runningMean, runningVar, gamma ?? null, beta ?? null, { training, momentum: 0 }), w);
          const result = gradCheck(f, inputs);
          expect(result.maxRelError).toBeLessThan(1e-7);
        });
      }
    }
  }

  it("with only the weight (no bias) and only the bias (no weight)", () => {
    const w = normal([5, 2, 3]);
    const inputs = () => [normal([5, 2, 3]), normal([2])];
    const onlyWeight = gradCheck(
      (x, g) => weighted(batchNorm(x!, null, null, g!, null, { training: true }), w),
      inputs(),
    );
    const onlyBias = gradCheck(
      (x, b) => weighted(batchNorm(x!, null, null, null, b!, { training: true }), w),
      inputs(),
    );
    expect(onlyWeight.maxRelError).toBeLessThan(1e-7);
    expect(onlyBias.maxRelError).toBeLessThan(1e-7);
  });
});

describe("batchNorm", () => {
  it("is the same op in autograd and core, and updates the running tensors in place", () => {
    const x = normal([6, 2, 3]);
    const runningMean = core.zeros([2], { dtype: "float64" }),
      runningVar = core.ones([2], { dtype: "float64" });
    const y = batchNorm(param(x), runningMean, runningVar, null, null, { training: true, momentum: 0.5 });
    const reference = internal.batchNormForward(x, null, null, null, null, { training: true }).output;
    for (let i = 0; i < x.size; i++) expect(y.value.data[i]).toBe(reference.data[i]);
    for (let c = 0; c < 2; c++) {
      let total = 0;
      for (let i = 0; i < 6; i++) for (let k = 0; k < 3; k++) total += x.get(i, c, k);
      expect(runningMean.data[c]).toBeCloseTo(0.5 * (total / 18), 14);
    }
    expect(runningVar.data[0]).not.toBe(1);
  });

  it("gradients reach x, weight and bias through backward(), dβ = Σg and dγ = Σ g·x̂", () => {
    const x = param(normal([4, 3])),
      gamma = param(normal([3])),
      beta = param(normal([3]));
    const seed = normal([4, 3]);
    const y = batchNorm(x, null, null, gamma, beta, { training: true });
    y.backward(seed);
    const { normalized } = internal.batchNormForward(x.value, null, null, null, null, { training: true });
    for (let c = 0; c < 3; c++) {
      let sg = 0,
        sgh = 0;
      for (let i = 0; i < 4; i++) {
        sg += seed.get(i, c);
        sgh += seed.get(i, c) * normalized!.get(i, c);
      }
      expect(beta.grad!.data[c]).toBeCloseTo(sg, 14);
      expect(gamma.grad!.data[c]).toBeCloseTo(sgh, 14);
    }
    expect(x.grad!.shape).toEqual([4, 3]);
  });

  it("is first-order only: grad(f) works, grad(grad(f)) throws a GraphError naming batchNorm", () => {
    const w = normal([4, 3]);
    const f = (x: Var) => weighted(batchNorm(x, null, null, null, null, { training: true }), w);
    const first = grad(f)(normal([4, 3]));
    expect(first.shape).toEqual([4, 3]);
    const second = grad((x: Var) => sum(mul(grad(f)(x), w)));
    expect(() => second(normal([4, 3]))).toThrow(GraphError);
    expect(() => second(normal([4, 3]))).toThrow(/batchNorm is differentiable once only/);
  });

  it("float32 runs, stays float32, and its gradient matches float64's to float32 precision", () => {
    const x64 = normal([8, 3, 2, 2]),
      seed64 = normal([8, 3, 2, 2]),
      g64 = normal([3]);
    const run = (dtype: core.DType) => {
      const x = param(core.cast(x64, dtype)),
        gamma = param(core.cast(g64, dtype));
      const y = batchNorm(x, null, null, gamma, null, { training: true });
      y.backward(core.cast(seed64, dtype));
      return { y: y.value, dx: x.grad!, dGamma: gamma.grad! };
    };
    const a = run("float64"),
      b = run("float32");
    expect(b.y.dtype).toBe("float32");
    expect(b.dx.dtype).toBe("float32");
    expect(core.sub(a.dx, core.cast(b.dx, "float64")).data.every((d) => Math.abs(d) < 1e-4)).toBe(true);
    expect(core.sub(a.dGamma, core.cast(b.dGamma, "float64")).data.every((d) => Math.abs(d) < 1e-4)).toBe(true);
  });

  it("NaN in gives NaN out", () => {
    const x = normal([4, 2]);
    x.data[0] = NaN;
    const y = batchNorm(x, null, null, null, null, { training: true });
    expect(y.value.get(2, 0)).toBeNaN();
  });

  it("records nothing under noGrad and mixing dtypes is a DTypeError", () => {
    const y = noGrad(() => batchNorm(param(normal([4, 2])), null, null, null, null, { training: true }));
    expect(y.requiresGrad).toBe(false);
    const x32 = core.cast(normal([4, 2]), "float32");
    expect(() => batchNorm(x32, null, null, normal([2]), null, { training: true })).toThrow(core.DTypeError);
    expect(() => batchNorm(normal([1, 2]), null, null, null, null, { training: true })).toThrow(
      /expected more than 1 value per channel when training/,
    );
  });
});
