import * as core from "@slope/core";
import { describe, expect, it } from "vitest";
import { GraphError, grad } from "../backward.js";
import { gradCheck } from "../gradcheck/index.js";
import { type Var, param } from "../var.js";
import "../methods/install-all.js"; // loss.backward() and the other methods of Var
import { layerNorm } from "./layer-norm.js";
import { mul } from "./mul.js";
import { sum } from "./sum.js";

const rng = new core.Rng("layer-norm");
const normal = (shape: number[]) => core.randn(shape, { rng, dtype: "float64" });
const weighted = (y: Var, w: core.Tensor) => sum(mul(y, w));

describe("layerNorm gradients against central differences (float64, relative error < 1e-7)", () => {
  const cases: [number[], number[]][] = [
    [[5, 6], [6]],
    [
      [2, 3, 4],
      [3, 4],
    ],
    [[2, 3, 4], [4]],
    [[7], [7]],
  ];
  for (const [shape, normalizedShape] of cases) {
    for (const affine of [true, false]) {
      const name = `x ${JSON.stringify(shape)} over ${JSON.stringify(normalizedShape)}`;
      it(`${name}, ${affine ? "with" : "without"} weight and bias`, () => {
        const w = normal(shape);
        const inputs = affine ? [normal(shape), normal(normalizedShape), normal(normalizedShape)] : [normal(shape)];
        const f = (x: Var, gamma?: Var, beta?: Var) =>
          weighted(layerNorm(x, normalizedShape, gamma ?? null, beta ?? null), w);
        expect(gradCheck(f, inputs).maxRelError).toBeLessThan(1e-7);
      });
    }
  }
});

describe("layerNorm", () => {
  it("equals (x − μ)/√(σ² + ε)·γ + β over the last dims, μ and the biased σ² of each group", () => {
    const x = normal([3, 2, 4]),
      gamma = normal([2, 4]),
      beta = normal([2, 4]);
    const y = layerNorm(x, [2, 4], gamma, beta, { eps: 1e-3 }).value;
    for (let r = 0; r < 3; r++) {
      const group = Array.from(x.data.subarray(r * 8, r * 8 + 8));
      const mu = group.reduce((a, b) => a + b) / 8;
      const v = group.reduce((a, b) => a + (b - mu) ** 2, 0) / 8;
      for (let k = 0; k < 8; k++) {
        const expected = ((group[k]! - mu) / Math.sqrt(v + 1e-3)) * gamma.data[k]! + beta.data[k]!;
        expect(y.data[r * 8 + k]).toBeCloseTo(expected, 13);
      }
    }
  });

  it("is first-order only: grad(f) works, grad(grad(f)) throws a GraphError naming layerNorm", () => {
    const w = normal([3, 4]);
    const f = (x: Var) => weighted(layerNorm(x, [4], null, null), w);
    expect(grad(f)(normal([3, 4])).shape).toEqual([3, 4]);
    const second = grad((x: Var) => sum(mul(grad(f)(x), w)));
    expect(() => second(normal([3, 4]))).toThrow(GraphError);
    expect(() => second(normal([3, 4]))).toThrow(/layerNorm is differentiable once only/);
  });

  it("float32 runs, stays float32, and matches float64 to float32 precision forward and backward", () => {
    const x64 = normal([16, 32]),
      seed = normal([16, 32]),
      g64 = normal([32]);
    const run = (dtype: core.DType) => {
      const x = param(core.cast(x64, dtype)),
        gamma = param(core.cast(g64, dtype));
      const y = layerNorm(x, [32], gamma, null);
      y.backward(core.cast(seed, dtype));
      return [y.value, x.grad!, gamma.grad!];
    };
    const a = run("float64"),
      b = run("float32");
    for (let k = 0; k < 3; k++) {
      expect(b[k]!.dtype).toBe("float32");
      const d = core.sub(a[k]!, core.cast(b[k]!, "float64"));
      expect(core.max(core.abs(d)).item()).toBeLessThan(1e-4);
    }
  });

  it("NaN in a group gives NaN in that group only", () => {
    const x = normal([3, 4]);
    x.data[5] = NaN;
    const y = layerNorm(x, [4], null, null).value;
    for (let k = 0; k < 4; k++) {
      expect(y.get(1, k)).toBeNaN();
      expect(Number.isFinite(y.get(0, k)) && Number.isFinite(y.get(2, k))).toBe(true);
    }
  });

  it("rejects a normalizedShape that is not the input's last dims, and weights of another shape", () => {
    expect(() => layerNorm(normal([3, 4]), [3], null, null)).toThrow(
      "layerNorm: normalizedShape [3] must be the last dims of the input, got input of shape [3, 4]",
    );
    expect(() => layerNorm(normal([3, 4]), [], null, null)).toThrow(core.ShapeError);
    expect(() => layerNorm(normal([4]), [2, 4], null, null)).toThrow(core.ShapeError);
    expect(() => layerNorm(normal([3, 4]), [4], normal([1]), null)).toThrow(
      new core.ShapeError("layerNorm: weight must have shape [4], got [1]"),
    );
    expect(() => layerNorm(normal([3, 4]), [4], core.cast(normal([4]), "float32"), null)).toThrow(core.DTypeError);
  });
});

describe("layerNorm's normalizedShape argument", () => {
  it("is checked to be a list of sizes: a named ShapeError, not a raw TypeError", () => {
    const x = core.zeros([3, 4], { dtype: "float64" });
    expect(() => layerNorm(x, null as never, null, null)).toThrow(
      /normalizedShape must be an array of numbers, got null/,
    );
    expect(() => layerNorm(x, [-4], null, null)).toThrow(core.ShapeError);
  });
});
