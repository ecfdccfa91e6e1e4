import * as core from "@slope/core";
import { describe, expect, it } from "vitest";
import { abs, add, exp, log, matmul, maximum, mean, mul, reshape, sub, sum } from "../ops/index.js";
import { gather } from "../ops/gather.js";
import { relError } from "../gradcheck/rel-error.js";
import { type Var, param } from "../var.js";
import "../methods/install-all.js"; // loss.backward() and the other methods of Var
import { l2, linear, softmaxCrossEntropy, svmLoss } from "./index.js";

const rng = new core.Rng("losses");
const f64 = (shape: number[], std = 1) => core.randn(shape, { rng, std, dtype: "float64" });

/** Picks s[i, yᵢ] for each row as a Var, from primitive ops: gather over the flattened scores. */
function correctScores(s: Var, labels: ArrayLike<number>): Var {
  const [n, c] = s.shape as [number, number];
  const flatIndex = Array.from({ length: n }, (_, i) => i * c + labels[i]!);
  return gather(reshape(s, [n * c, 1]), flatIndex);
}

/** The SVM loss composed from primitives: mean over rows of Σⱼ max(0, sⱼ − s_y + Δ) minus the j = y term (Δ). */
function composedSvm(s: Var, labels: ArrayLike<number>, delta: number): Var {
  const margins = maximum(add(sub(s, correctScores(s, labels)), delta), 0);
  return sub(mean(sum(margins, 1)), delta);
}

/** Softmax cross-entropy composed from primitives: mean of log Σ e^{s−m} − (s_y − m). */
function composedSoftmax(s: Var, labels: ArrayLike<number>): Var {
  const m = core.max(s.value, 1, true);
  const shifted = sub(s, m);
  return mean(sub(log(sum(exp(shifted), 1, true)), correctScores(shifted, labels)));
}

function valueAndGradient(f: (s: Var) => Var, scores: core.Tensor): [number, core.Tensor] {
  const s = param(core.clone(scores));
  const loss = f(s);
  loss.backward();
  return [loss.item(), s.grad!];
}

describe("the lecture's fused loss nodes", () => {
  const scores = f64([16, 10], 2);
  const labels = Int32Array.from({ length: 16 }, () => rng.int(10));

  it("svmLoss equals the loss composed from primitive ops, value and gradient, to 1e-12", () => {
    for (const delta of [1, 0.5]) {
      const [fused, fusedGrad] = valueAndGradient((s) => svmLoss(s, labels, { delta }), scores);
      const [composed, composedGrad] = valueAndGradient((s) => composedSvm(s, labels, delta), scores);
      expect(Math.abs(fused - composed)).toBeLessThan(1e-12);
      expect(relError(fusedGrad, composedGrad)).toBeLessThan(1e-12);
    }
  });

  it("softmaxCrossEntropy equals the composed loss, value and gradient, to 1e-12", () => {
    const [fused, fusedGrad] = valueAndGradient((s) => softmaxCrossEntropy(s, labels), scores);
    const [composed, composedGrad] = valueAndGradient((s) => composedSoftmax(s, labels), scores);
    expect(Math.abs(fused - composed)).toBeLessThan(1e-12);
    expect(relError(fusedGrad, composedGrad)).toBeLessThan(1e-12);
  });

  it("svmLoss gradient is the lecture's: indicator for j ≠ y, minus the count of positive margins at y, over N", () => {
    const s = param(
      core.tensor(
        [
          [3.2, 5.1, -1.7],
          [1.3, 4.9, 2.0],
          [2.2, 2.5, -3.1],
        ],
        { dtype: "float64" },
      ),
    );
    const loss = svmLoss(s, [0, 1, 2]);
    expect(loss.item()).toBeCloseTo(15.8 / 3, 12);
    loss.backward();
    expect(s.grad!.toArray()).toEqual([
      [-1 / 3, 1 / 3, 0],
      [0, 0, 0],
      [1 / 3, 1 / 3, -2 / 3],
    ]);
  });

  it("softmaxCrossEntropy gradient is (p − onehot(y)) / N and is finite and exact at scores of ±1e4", () => {
    const s = param(
      core.tensor(
        [
          [1e4, -1e4, 0],
          [-1e4, 1e4, 0],
        ],
        { dtype: "float64" },
      ),
    );
    const loss = softmaxCrossEntropy(s, [0, 2]);
    expect(loss.item()).toBe(1e4 / 2);
    loss.backward();
    expect(s.grad!.toArray()).toEqual([
      [0, 0, 0],
      [0, 0.5, -0.5],
    ]);
  });

  it("linear is x·W + b with the hand-derived gradient", () => {
    const x = param(f64([5, 4]));
    const W = param(f64([4, 3]));
    const b = param(f64([3]));
    const G = f64([5, 3]);
    const s = linear(x, W, b);
    const expected = core.add(core.matmul(x.value, W.value), b.value);
    expect(relError(s.value, expected)).toBe(0);
    s.backward(G);
    expect(relError(x.grad!, core.matmul(G, W.value, { transposeB: true }))).toBe(0);
    expect(relError(W.grad!, core.matmul(x.value, G, { transposeA: true }))).toBe(0);
    expect(relError(b.grad!, core.sum(G, 0))).toBe(0);
    expect(linear(x, W).shape).toEqual([5, 3]);
    expect(() => linear(x, W, f64([4]))).toThrow(/expected b of shape \[3\], got \[4\]/);
    expect(() => linear(x, f64([3, 3]))).toThrow(/inner dimensions differ/);
  });

  it("l2 is Σ W² with gradient 2W, so loss = data + reg·l2(W)", () => {
    const W = param(
      core.tensor(
        [
          [1, -2],
          [3, 0.5],
        ],
        { dtype: "float64" },
      ),
    );
    const r = l2(W);
    expect(r.item()).toBe(14.25);
    mul(r, 0.1).backward();
    expect(
      relError(
        W.grad!,
        core.tensor(
          [
            [0.2, -0.4],
            [0.6, 0.1],
          ],
          { dtype: "float64" },
        ),
      ),
    ).toBeLessThan(1e-15);
  });

  it("labels may be number[], Int32Array or Uint8Array; bad ones are named", () => {
    const s = f64([3, 4]);
    const a = svmLoss(s, [1, 2, 3]).item();
    expect(svmLoss(s, new Int32Array([1, 2, 3])).item()).toBe(a);
    expect(svmLoss(s, new Uint8Array([1, 2, 3])).item()).toBe(a);
    expect(() => softmaxCrossEntropy(s, [1, 2])).toThrow(/expected 3 labels/);
    expect(() => softmaxCrossEntropy(s, [1, 4, 0])).toThrow(/label 4 at index 1 is outside \[0, 4\)/);
    expect(() => svmLoss(s, [1, -1, 0])).toThrow(/label -1 at index 1/);
  });

  it("the lecture's sanity figures: with W ≈ 0, softmax ≈ log 10 ≈ 2.303 and SVM ≈ C − 1 = 9", () => {
    const X = f64([200, 3073]);
    const y = Int32Array.from({ length: 200 }, () => rng.int(10));
    const W = core.randn([3073, 10], { rng, std: 1e-4, dtype: "float64" });
    expect(softmaxCrossEntropy(linear(X, W), y).item()).toBeCloseTo(Math.log(10), 2);
    expect(svmLoss(linear(X, W), y).item()).toBeCloseTo(9, 1);
  });

  it("abs and matmul compose with the losses (a smoke test of the full lecture loss)", () => {
    const W = param(f64([6, 3], 0.01));
    const x = f64([4, 6]);
    const loss = add(svmLoss(matmul(x, W), [0, 1, 2, 0]), mul(sum(abs(W)), 1e-3));
    loss.backward();
    expect(W.grad!.shape).toEqual([6, 3]);
  });
});

describe("svmLoss with NaN scores", () => {
  it("gives a NaN loss and NaN gradient on the row that holds a NaN score (NaN in, NaN out), finite elsewhere", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const values = [0.5, NaN, -1, 2, 0.1, 0.3];
      const s = param(core.tensor(values, { dtype, shape: [2, 3] }));
      const loss = svmLoss(s, [0, 2]);
      expect(loss.value.item()).toBeNaN();
      loss.backward();
      const g = s.grad!.data;
      expect(Number.isNaN(g[0]!) && Number.isNaN(g[1]!)).toBe(true); // the NaN row
      for (let j = 3; j < 6; j++) expect(Number.isFinite(g[j]!)).toBe(true); // the other row is untouched
      const sc = param(core.tensor([NaN, 0, 0], { dtype, shape: [1, 3] })); // a NaN correct-class score
      const lossC = svmLoss(sc, [0]);
      lossC.backward();
      expect(lossC.value.item()).toBeNaN();
      for (let j = 0; j < 3; j++) expect(sc.grad!.data[j]).toBeNaN();
    }
  });
});
