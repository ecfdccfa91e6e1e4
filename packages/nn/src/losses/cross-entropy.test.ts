import * as core from "@slope/core";
import { type Var, gradCheck, mul, param, sum } from "@slope/autograd";
import { describe, expect, it } from "vitest";
import { crossEntropy } from "./cross-entropy.js";
import { nllLoss } from "./nll-loss.js";

const LN2 = Math.LN2;
const f64 = (values: core.NestedArray) => core.tensor(values, { dtype: "float64" });
/** Two rows whose softmax is [¼, ½, ¼] and [¼, ¼, ½]: log p = −ln2·[2, 1, 2] and −ln2·[2, 2, 1]. */
const logits = () =>
  f64([
    [0, Math.log(2), 0],
    [0, 0, Math.log(2)],
  ]);

function expectValues(actual: Var | core.Tensor, expected: number[], shape: number[]): void {
  const t = actual instanceof core.Tensor ? actual : actual.value;
  expect(t.shape).toEqual(shape);
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs(t.data[i]! - expected[i]!) > 1e-14 * Math.max(1, Math.abs(expected[i]!))) {
      throw new Error(`element ${i}: got ${t.data[i]}, expected ${expected[i]}`);
    }
  }
}

describe("crossEntropy with class indices", () => {
  it("is −log softmax at the label, averaged over rows by default", () => {
    expectValues(crossEntropy(logits(), [1, 0]), [1.5 * LN2], []);
    expectValues(crossEntropy(logits(), [1, 0], { reduction: "sum" }), [3 * LN2], []);
    expectValues(crossEntropy(logits(), [1, 0], { reduction: "none" }), [LN2, 2 * LN2], [2]);
  });

  it("weighs each item by weight[y] and divides the mean by Σ weight[y] (PyTorch's rule)", () => {
    const weight = f64([1, 2, 3]);
    expectValues(crossEntropy(logits(), [1, 0], { weight, reduction: "none" }), [2 * LN2, 2 * LN2], [2]);
    expectValues(crossEntropy(logits(), [1, 0], { weight }), [(4 * LN2) / 3], []);
    expectValues(crossEntropy(logits(), [1, 0], { weight: [1, 2, 3], reduction: "sum" }), [4 * LN2], []);
  });

  it("gives ignored items a loss of 0 and leaves them out of the mean", () => {
    expectValues(crossEntropy(logits(), [1, -100], { reduction: "none" }), [LN2, 0], [2]);
    expectValues(crossEntropy(logits(), [1, -100]), [LN2], []);
    expectValues(crossEntropy(logits(), [1, 2], { ignoreIndex: 2, weight: [1, 2, 3] }), [LN2], []);
    expect(Number.isNaN(crossEntropy(logits(), [-100, -100]).item())).toBe(true); // 0/0, as PyTorch
  });

  it("smooths labels as (1 − ε)·nll + (ε/C)·(−Σ log p), equal to the smoothed one-hot target", () => {
    // row 0, y = 1, ε = 0.3: 0.7·ln2 + 0.1·5·ln2 = 1.2·ln2; as probabilities [0.1, 0.8, 0.1]: the same.
    expectValues(crossEntropy(logits(), [1, -100], { labelSmoothing: 0.3, reduction: "none" }), [1.2 * LN2, 0], [2]);
    const smoothedOneHot = crossEntropy(
      logits(),
      f64([
        [0.1, 0.8, 0.1],
        [0.8, 0.1, 0.1],
      ]),
      { reduction: "none" },
    );
    const smoothed = crossEntropy(logits(), [1, 0], { labelSmoothing: 0.3, reduction: "none" });
    expectValues(smoothed, [1.2 * LN2, 1.9 * LN2], [2]);
    expectValues(smoothedOneHot, [1.2 * LN2, 1.9 * LN2], [2]);
  });

  it("enters the class weight into the smoothing term as −Σ_c w[c]·log p[c], divided by Σ w[y] in the mean", () => {
    // row 0, y = 1: 0.7·2·ln2 + 0.1·(1·2 + 2·1 + 3·2)·ln2 = 2.4·ln2; row 1, y = 0: 0.7·2·ln2 + 0.1·9·ln2 = 2.3·ln2.
    const options = { labelSmoothing: 0.3, weight: [1, 2, 3] };
    expectValues(crossEntropy(logits(), [1, 0], { ...options, reduction: "none" }), [2.4 * LN2, 2.3 * LN2], [2]);
    expectValues(crossEntropy(logits(), [1, 0], options), [(4.7 * LN2) / 3], []);
    expectValues(crossEntropy(logits(), [1, -100], options), [(2.4 * LN2) / 2], []);
  });

  it("takes [N, C, d1] inputs with [N, d1] targets, the class axis being axis 1", () => {
    const x = core.transpose(logits(), [1, 0]).toArray() as number[][]; // [C, d] for one example
    const input = f64([x]); // [1, 3, 2]: position 0 is row 0, position 1 is row 1
    expectValues(crossEntropy(input, f64([[1, 0]]), { reduction: "none" }), [LN2, 2 * LN2], [1, 2]);
    expectValues(crossEntropy(input, [1, 0], { weight: [1, 2, 3] }), [(4 * LN2) / 3], []);
  });

  it("takes one unbatched [C] row with a single label", () => {
    expectValues(crossEntropy(f64([0, Math.log(2), 0]), [1], { reduction: "none" }), [LN2], []);
  });

  it("propagates NaN logits to that row's loss but not from ignored rows", () => {
    const x = f64([
      [NaN, 0, 0],
      [0, Math.log(2), 0],
    ]);
    const none = crossEntropy(x, [0, 1], { reduction: "none" }).value;
    expect(Number.isNaN(none.data[0]!)).toBe(true);
    expect(none.data[1]).toBeCloseTo(LN2, 14);
    expect(crossEntropy(x, [-100, 1]).item()).toBeCloseTo(LN2, 14);
  });

  it("never overflows for huge logits", () => {
    expectValues(
      crossEntropy(
        f64([
          [1000, 0],
          [-1000, 0],
        ]),
        [0, 1],
        { reduction: "none" },
      ),
      [0, 0],
      [2],
    );
    expectValues(crossEntropy(f64([[1000, 0]]), [1]), [1000], []);
  });
});

describe("crossEntropy with class probabilities", () => {
  it("is −Σ t·log p per item, its mean divided by the number of items, weights included", () => {
    const t = f64([
      [0.5, 0.5, 0],
      [0, 0, 1],
    ]);
    expectValues(crossEntropy(logits(), t, { reduction: "none" }), [1.5 * LN2, LN2], [2]);
    expectValues(crossEntropy(logits(), t), [1.25 * LN2], []);
    expectValues(crossEntropy(logits(), t, { weight: [1, 2, 3] }), [2.5 * LN2], []); // (2 + 3)·ln2 / 2, not / Σ w
    expectValues(crossEntropy(logits(), t, { labelSmoothing: 0.3, reduction: "none" }), [1.55 * LN2, 1.2 * LN2], [2]);
  });
});

describe("nllLoss", () => {
  it("is −w[y]·x[y] per item, the mean divided by Σ w[y] over items that are not ignored", () => {
    const x = f64([
      [-1, -2, -3],
      [-4, -5, -6],
      [-7, -8, -9],
    ]);
    expectValues(nllLoss(x, [2, 0, 1], { reduction: "none" }), [3, 4, 8], [3]);
    expectValues(nllLoss(x, [2, 0, 1]), [5], []);
    expectValues(nllLoss(x, [2, 0, -100], { weight: [1, 2, 3] }), [(9 + 4) / 4], []);
    expectValues(nllLoss(x, [2, 0, 7], { ignoreIndex: 7, weight: [1, 2, 3], reduction: "sum" }), [13], []);
    expectValues(nllLoss(x, f64([2, 0, 1]), { reduction: "none" }), [3, 4, 8], [3]);
  });
});

describe("class-index checks", () => {
  it("throws IndexError naming the label and C for a label out of range (except ignoreIndex)", () => {
    expect(() => crossEntropy(logits(), [1, 3])).toThrow(core.IndexError);
    expect(() => crossEntropy(logits(), [1, 3])).toThrow(/target 3 at position 1 .*\[0, 3\)/);
    expect(() => nllLoss(logits(), [-1, 0])).toThrow(/target -1 at position 0/);
    expect(() => nllLoss(logits(), [-100, 0], { ignoreIndex: 5 })).toThrow(core.IndexError);
    expect(() => nllLoss(logits(), [1.5, 0])).toThrow(core.ValueError);
  });

  it("throws ShapeError for a target or weight of the wrong size, and for a scalar input", () => {
    expect(() => crossEntropy(logits(), [1, 0, 2])).toThrow(core.ShapeError);
    expect(() => nllLoss(logits(), f64([[1, 0]]))).toThrow(/\[2\] \(the input's without the class axis\)/);
    expect(() => crossEntropy(logits(), f64([[1, 0]]))).toThrow(/class-probability target must have the input's shape/);
    expect(() => crossEntropy(logits(), f64([[1, 0, 0]]))).toThrow(core.ShapeError);
    expect(() => crossEntropy(logits(), [1, 0], { weight: [1, 2] })).toThrow(/weight must have shape \[3\]/);
    expect(() => nllLoss(core.scalar(1, "float64"), [0])).toThrow(core.ShapeError);
  });

  it("throws DTypeError when a weight or a probability target has another dtype than the input", () => {
    const weight = core.tensor([1, 2, 3], { dtype: "float32" });
    expect(() => crossEntropy(logits(), [1, 0], { weight })).toThrow(core.DTypeError);
    const t = core.tensor(
      [
        [1, 0, 0],
        [0, 1, 0],
      ],
      { dtype: "float32" },
    );
    expect(() => crossEntropy(logits(), t)).toThrow(core.DTypeError);
  });

  it("throws ValueError for an unknown reduction or a label smoothing outside [0, 1]", () => {
    expect(() => crossEntropy(logits(), [1, 0], { reduction: "avg" as "mean" })).toThrow(core.ValueError);
    expect(() => crossEntropy(logits(), [1, 0], { labelSmoothing: 1.5 })).toThrow(core.ValueError);
  });

  it("works in float32 and float64 alike", () => {
    const x32 = core.cast(logits(), "float32");
    const loss = crossEntropy(x32, [1, 0], { weight: [1, 2, 3], labelSmoothing: 0.1 });
    expect(loss.dtype).toBe("float32");
    const loss64 = crossEntropy(logits(), [1, 0], { weight: [1, 2, 3], labelSmoothing: 0.1 });
    expect(loss.item()).toBeCloseTo(loss64.item(), 6);
  });
});

describe("gradients (float64, central differences)", () => {
  const rng = new core.Rng("cross-entropy-gradients");
  const randn = (shape: number[]) => core.randn(shape, { rng, dtype: "float64" });
  /** Sums "none" losses against fixed random coefficients, so every per-item gradient is checked. */
  const weighted = (losses: Var, c: core.Tensor) => sum(mul(losses, c));

  it("of crossEntropy with weight, label smoothing and ignored items, for [N, C] and [N, C, d1, d2]", () => {
    const options = { weight: f64([0.5, 1, 2, 1.5]), labelSmoothing: 0.2 };
    const mean = gradCheck((x) => crossEntropy(x, [3, -100, 0, 2, 1], options), [randn([5, 4])]);
    expect(mean.maxRelError).toBeLessThan(1e-7);
    const labels = [0, 3, 1, -100, 2, 2, 1, 0, 3, 3, -100, 1];
    const coefficients = randn([2, 3, 2]);
    const perItem = (x: Var) => weighted(crossEntropy(x, labels, { ...options, reduction: "none" }), coefficients);
    const none = gradCheck(perItem, [randn([2, 4, 3, 2])]);
    expect(none.maxRelError).toBeLessThan(1e-7);
  });

  it("of crossEntropy with probability targets, with respect to the logits and the target", () => {
    const t = core.div(core.exp(randn([3, 4])), 2);
    const options = { weight: f64([1, 2, 0.5, 1]), labelSmoothing: 0.1 };
    const result = gradCheck((x, p) => crossEntropy(x, p, options), [randn([3, 4]), t]);
    expect(result.maxRelError).toBeLessThan(1e-7);
  });

  it("of nllLoss with weight and ignored items", () => {
    const result = gradCheck((x) => nllLoss(x, [1, 0, -100, 2], { weight: f64([3, 1, 2]) }), [randn([4, 3])]);
    expect(result.maxRelError).toBeLessThan(1e-7);
  });

  it("matches softmax − onehot for plain mean cross-entropy", () => {
    const x = param(f64([[0, Math.log(2), 0]]));
    crossEntropy(x, [1]).backward();
    expectValues(x.grad!, [0.25, -0.5, 0.25], [1, 3]);
  });
});
