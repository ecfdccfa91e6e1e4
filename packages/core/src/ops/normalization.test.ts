import { describe, expect, it } from "vitest";
import type { DType } from "../dtype.js";
import { full, randn, tensor, zeros } from "../create.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { jsKernels, kernels } from "../kernels/index.js";
import { Rng } from "../rng.js";
import type { Tensor } from "../tensor.js";
import { cast } from "./layout.js";
import {
  type BatchNormOptions,
  batchNormBackward,
  batchNormForward,
  dropoutMask,
  layerNormBackward,
  layerNormForward,
} from "./normalization.js";

const rng = new Rng("normalization-core");
const normal = (shape: number[], dtype: DType = "float64") => randn(shape, { rng, dtype });
const f64 = (values: number[]) => tensor(values, { dtype: "float64" });
/** Batch norm with batch statistics, no running tensors and no affine part, unless given. */
const train = (x: Tensor, options: Partial<BatchNormOptions> = {}) =>
  batchNormForward(x, null, null, null, null, { training: true, ...options });

/** The largest |a − b| over two arrays of the same length, reporting a length mismatch as Infinity. */
function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d > worst || Number.isNaN(d)) worst = d;
  }
  return worst;
}

/** Batch norm written out from its definition, element by element with get(): the test's reference. */
function batchNormByDefinition(x: Tensor, gamma: number[] | null, beta: number[] | null, eps: number) {
  const [n, c] = x.shape as [number, number];
  const inner = x.size / (n * c);
  const at = (i: number, ch: number, k: number) => x.data[(i * c + ch) * inner + k]!;
  const out = new Float64Array(x.size);
  const means: number[] = [],
    variances: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    let s = 0;
    for (let i = 0; i < n; i++) for (let k = 0; k < inner; k++) s += at(i, ch, k);
    const mu = s / (n * inner);
    let v = 0;
    for (let i = 0; i < n; i++) for (let k = 0; k < inner; k++) v += (at(i, ch, k) - mu) ** 2;
    v /= n * inner;
    means.push(mu);
    variances.push(v);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < inner; k++) {
        const y = (at(i, ch, k) - mu) / Math.sqrt(v + eps);
        out[(i * c + ch) * inner + k] = y * (gamma ? gamma[ch]! : 1) + (beta ? beta[ch]! : 0);
      }
    }
  }
  return { out, means, variances };
}

describe("batchNormForward", () => {
  it.each([[[6, 3]], [[4, 3, 5]], [[2, 3, 4, 5]]])("training output on %j is (x − μ)/√(σ² + ε)·γ + β", (shape) => {
    const x = normal(shape);
    const gamma = [0.5, -2, 1.5],
      beta = [0.1, 0, -3];
    const { output, normalized, invStd } = batchNormForward(x, null, null, f64(gamma), f64(beta), { training: true });
    const expected = batchNormByDefinition(x, gamma, beta, 1e-5);
    expect(maxDifference(output.data, expected.out)).toBeLessThan(1e-12);
    expect(output.shape).toEqual(shape);
    const plain = batchNormByDefinition(x, null, null, 1e-5);
    expect(maxDifference(normalized!.data, plain.out)).toBeLessThan(1e-12);
    expect(
      maxDifference(
        invStd,
        expected.variances.map((v) => 1 / Math.sqrt(v + 1e-5)),
      ),
    ).toBeLessThan(1e-12);
  });

  it("running statistics after two training steps are the momentum averages, the variance unbiased", () => {
    const runningMean = zeros([3], { dtype: "float64" });
    const runningVar = full([3], 1, { dtype: "float64" });
    const x1 = normal([5, 3, 2]),
      x2 = normal([5, 3, 2]);
    const m = 0.25,
      n = 10;
    batchNormForward(x1, runningMean, runningVar, null, null, { training: true, momentum: m });
    batchNormForward(x2, runningMean, runningVar, null, null, { training: true, momentum: m });
    const s1 = batchNormByDefinition(x1, null, null, 0),
      s2 = batchNormByDefinition(x2, null, null, 0);
    for (let c = 0; c < 3; c++) {
      const mean1 = m * s1.means[c]!;
      const var1 = (1 - m) * 1 + (m * s1.variances[c]! * n) / (n - 1);
      expect(runningMean.data[c]).toBeCloseTo((1 - m) * mean1 + m * s2.means[c]!, 14);
      expect(runningVar.data[c]).toBeCloseTo((1 - m) * var1 + (m * s2.variances[c]! * n) / (n - 1), 14);
    }
  });

  it("the default momentum is 0.1, and momentum 0 leaves the running statistics unchanged", () => {
    const runningMean = zeros([2], { dtype: "float64" });
    const x = tensor(
      [
        [1, 10],
        [3, 20],
      ],
      { dtype: "float64" },
    );
    batchNormForward(x, runningMean, null, null, null, { training: true });
    expect(runningMean.toArray()).toEqual([0.2, 1.5]);
    batchNormForward(x, runningMean, null, null, null, { training: true, momentum: 0 });
    expect(runningMean.toArray()).toEqual([0.2, 1.5]);
  });

  it("eval normalizes with the running statistics and leaves them unchanged", () => {
    const x = normal([4, 2, 3]);
    const runningMean = f64([0.5, -1]),
      runningVar = f64([2, 0.25]);
    const { output } = batchNormForward(x, runningMean, runningVar, f64([3, 1]), null, { training: false, eps: 1e-3 });
    for (let i = 0; i < x.size; i++) {
      const c = Math.floor(i / 3) % 2;
      const normalized = (x.data[i]! - runningMean.data[c]!) / Math.sqrt(runningVar.data[c]! + 1e-3);
      const expected = normalized * (c === 0 ? 3 : 1);
      expect(output.data[i]).toBeCloseTo(expected, 14);
    }
    expect(runningMean.toArray()).toEqual([0.5, -1]);
    expect(runningVar.toArray()).toEqual([2, 0.25]);
  });

  it("is exact when the mean is far larger than the spread (two-pass variance)", () => {
    const x = tensor([[1e8 + 1], [1e8 - 1], [1e8 + 1], [1e8 - 1]], { dtype: "float64" });
    const { output } = train(x, { eps: 0 });
    expect(output.toArray()).toEqual([[1], [-1], [1], [-1]]);
  });

  it("NaN in a channel gives NaN in that channel only", () => {
    const x = normal([4, 3]);
    x.data[4] = NaN; // channel 1
    const { output } = train(x);
    for (let i = 0; i < 4; i++) {
      expect(output.get(i, 1)).toBeNaN();
      expect(Number.isFinite(output.get(i, 0)) && Number.isFinite(output.get(i, 2))).toBe(true);
    }
  });

  it("saveNormalized: false returns no x̂ and the same output", () => {
    const x = normal([4, 3, 2]);
    const kept = train(x);
    const skipped = train(x, { saveNormalized: false });
    expect(skipped.normalized).toBeNull();
    expect(maxDifference(kept.output.data, skipped.output.data)).toBe(0);
  });

  it("float32 agrees with float64 to float32 precision and stays float32", () => {
    const x64 = normal([8, 4, 3, 3]);
    const x32 = cast(x64, "float32");
    const a = train(x64).output;
    const b = train(x32).output;
    expect(b.dtype).toBe("float32");
    expect(maxDifference(a.data, b.data)).toBeLessThan(1e-5);
  });

  it("an empty batch gives an empty output and leaves the running statistics as they were", () => {
    const runningMean = full([3], 7, { dtype: "float64" });
    const empty = zeros([0, 3], { dtype: "float64" });
    const { output } = batchNormForward(empty, runningMean, null, null, null, { training: true });
    expect(output.shape).toEqual([0, 3]);
    expect(runningMean.toArray()).toEqual([7, 7, 7]);
  });

  it("rejects bad arguments with named errors that say what was expected", () => {
    const x = normal([4, 3]);
    const c3 = zeros([3], { dtype: "float64" });
    expect(() => train(normal([1, 3]))).toThrow(
      new ValueError("batchNorm: expected more than 1 value per channel when training, got input of shape [1, 3]"),
    );
    const ones3 = full([3], 1, { dtype: "float64" });
    const eval1 = () => batchNormForward(normal([1, 3]), c3, ones3, null, null, { training: false });
    expect(eval1).not.toThrow();
    expect(() => train(normal([1, 3, 2]))).not.toThrow();
    expect(() => train(normal([3]))).toThrow(ShapeError);
    expect(() => batchNormForward(x, null, null, null, null, { training: false })).toThrow(
      /eval mode .* needs runningMean and runningVar/,
    );
    expect(() => batchNormForward(x, zeros([4], { dtype: "float64" }), null, null, null, { training: true })).toThrow(
      new ShapeError("batchNorm: runningMean must have shape [3], got [4]"),
    );
    expect(() => batchNormForward(x, null, null, zeros([3], { dtype: "float32" }), null, { training: true })).toThrow(
      DTypeError,
    );
    expect(() => train(x, { momentum: 1.5 })).toThrow(/momentum must be a number in \[0, 1\], got 1.5/);
    expect(() => train(x, { eps: -1 })).toThrow(ValueError);
    expect(() => batchNormForward(x, null, null, null, null, {} as never)).toThrow(/training must be true or false/);
  });
});

describe("batchNormBackward", () => {
  it("refuses a g without a channel axis and an invStd that is not one value per channel", () => {
    const x = normal([4, 3]);
    const { normalized, invStd } = train(x);
    const needs = [true, true, true] as const;
    const g = normal([4, 3]);
    expect(() => batchNormBackward(normal([4]), normal([4]), invStd, null, { training: true, needs })).toThrow(
      new ShapeError("batchNormBackward: expected g of shape [N, C] or [N, C, *], got [4]"),
    );
    expect(() => batchNormBackward(g, normalized!, invStd.subarray(0, 2), null, { training: true, needs })).toThrow(
      new ShapeError(
        "batchNormBackward: expected invStd to be a Float64Array of 3 values (one per channel), got 2 values",
      ),
    );
    expect(() => batchNormBackward(g, normalized!, [1, 1, 1] as never, null, { training: true, needs })).toThrow(
      ShapeError,
    );
    expect(batchNormBackward(g, normalized!, invStd, null, { training: true, needs }).dx!.shape).toEqual([4, 3]);
  });

  it("eval: dx = g·γ·inv exactly, dγ = Σ g·x̂, dβ = Σ g", () => {
    const x = normal([5, 2]);
    const runningMean = f64([0.3, -0.2]),
      runningVar = f64([1.5, 0.5]);
    const gamma = f64([2, -1]);
    const { normalized, invStd } = batchNormForward(x, runningMean, runningVar, gamma, null, { training: false });
    const g = normal([5, 2]);
    const needs = [true, true, true] as const;
    const { dx, dWeight, dBias } = batchNormBackward(g, normalized!, invStd, gamma, { training: false, needs });
    for (let i = 0; i < 5; i++) {
      for (let c = 0; c < 2; c++) expect(dx!.get(i, c)).toBe(g.get(i, c) * (gamma.data[c]! * invStd[c]!));
    }
    for (let c = 0; c < 2; c++) {
      let sg = 0,
        sgh = 0;
      for (let i = 0; i < 5; i++) {
        sg += g.get(i, c);
        sgh += g.get(i, c) * normalized!.get(i, c);
      }
      expect(dBias!.data[c]).toBeCloseTo(sg, 14);
      expect(dWeight!.data[c]).toBeCloseTo(sgh, 14);
    }
  });

  it("training with ε = 0: dx is orthogonal to 1 and to x̂ per channel (y is shift and scale invariant)", () => {
    const x = normal([6, 3, 2]);
    const { normalized, invStd } = train(x, { eps: 0 });
    const needs = [true, false, false] as const;
    const g = normal([6, 3, 2]);
    const { dx, dWeight, dBias } = batchNormBackward(g, normalized!, invStd, null, { training: true, needs });
    expect(dWeight).toBeNull();
    expect(dBias).toBeNull();
    for (let c = 0; c < 3; c++) {
      let s = 0,
        sh = 0;
      for (let i = 0; i < 6; i++) {
        for (let k = 0; k < 2; k++) {
          s += dx!.get(i, c, k);
          sh += dx!.get(i, c, k) * normalized!.get(i, c, k);
        }
      }
      expect(Math.abs(s)).toBeLessThan(1e-12);
      expect(Math.abs(sh)).toBeLessThan(1e-12);
    }
  });
});

describe("layerNormForward", () => {
  it("normalizes each group of the last D elements to mean 0 and variance σ²/(σ² + ε)", () => {
    const x = normal([3, 2, 4]);
    const { output, invStd } = layerNormForward(x, 8, 1e-5);
    expect(invStd.length).toBe(3);
    for (let r = 0; r < 3; r++) {
      const row = Array.from(x.data.subarray(r * 8, r * 8 + 8));
      const mu = row.reduce((a, b) => a + b) / 8;
      const v = row.reduce((a, b) => a + (b - mu) ** 2, 0) / 8;
      for (let k = 0; k < 8; k++) expect(output.data[r * 8 + k]).toBeCloseTo((row[k]! - mu) / Math.sqrt(v + 1e-5), 13);
    }
  });

  it("with ε = 0 its backward gives dx orthogonal to 1 and x̂ per group (shift and scale invariance)", () => {
    const x = normal([4, 6]);
    const { normalized, invStd } = layerNormForward(x, 6, 0);
    const dx = layerNormBackward(normal([4, 6]), normalized, invStd);
    for (let r = 0; r < 4; r++) {
      let s = 0,
        sh = 0;
      for (let k = 0; k < 6; k++) {
        s += dx.get(r, k);
        sh += dx.get(r, k) * normalized.get(r, k);
      }
      expect(Math.abs(s) + Math.abs(sh)).toBeLessThan(1e-12);
    }
  });

  it("rejects a group size that does not divide the input", () => {
    expect(() => layerNormForward(normal([3, 4]), 5)).toThrow(ShapeError);
    expect(() => layerNormForward(normal([3, 4]), 4, -1)).toThrow(ValueError);
  });
});

describe("dropoutMask", () => {
  it.each([0.1, 0.5, 0.9])("keeps a fraction 1 − p (p = %d) within 5σ, each kept value exactly 1/(1 − p)", (p) => {
    const n = 100_000;
    for (const dtype of ["float32", "float64"] as const) {
      const mask = dropoutMask([100, 1000], p, new Rng(`dropout-${p}`), dtype);
      expect(mask.dtype).toBe(dtype);
      const scale = dtype === "float32" ? Math.fround(1 / (1 - p)) : 1 / (1 - p);
      let kept = 0,
        bad = -1;
      for (let i = 0; i < n; i++) {
        const v = mask.data[i]!;
        if (v === scale) kept++;
        else if (v !== 0 && bad < 0) bad = i;
      }
      expect(bad).toBe(-1);
      expect(Math.abs(kept / n - (1 - p))).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
    }
  });

  it("the same seed gives the same bits, another seed another mask", () => {
    const a = dropoutMask([50, 40], 0.3, new Rng(7));
    const b = dropoutMask([50, 40], 0.3, new Rng(7));
    const c = dropoutMask([50, 40], 0.3, new Rng(8));
    expect(maxDifference(a.data, b.data)).toBe(0);
    expect(maxDifference(a.data, c.data)).toBeGreaterThan(0);
  });

  it("p = 0 keeps everything with scale 1, p = 1 drops everything without dividing by zero", () => {
    const ones = dropoutMask([10], 0, new Rng(1));
    const none = dropoutMask([10], 1, new Rng(1));
    for (let i = 0; i < 10; i++) {
      expect(ones.data[i]).toBe(1);
      expect(none.data[i]).toBe(0);
    }
  });

  it("rejects p outside [0, 1] and a missing rng", () => {
    expect(() => dropoutMask([3], 1.5, new Rng(1))).toThrow(
      new ValueError("dropout: p must be a probability in [0, 1], got 1.5"),
    );
    expect(() => dropoutMask([3], -0.1, new Rng(1))).toThrow(ValueError);
    expect(() => dropoutMask([3], NaN, new Rng(1))).toThrow(ValueError);
    expect(() => dropoutMask([3], 0.5, undefined as unknown as Rng)).toThrow(/an rng is required/);
  });
});

describe("normalization kernels", () => {
  it("are part of the JavaScript backend and of the active one", () => {
    for (const k of [jsKernels, kernels()]) {
      expect(typeof k.batchNormStatistics).toBe("function");
      expect(typeof k.batchNormForward).toBe("function");
      expect(typeof k.batchNormBackward).toBe("function");
    }
  });
});
