import { describe, expect, it } from "vitest";
import { tensor } from "../create.js";
import { IndexError, ShapeError } from "../errors.js";
import { multiclassHingeForward, softmaxCrossEntropyForward } from "./losses.js";

describe("loss kernels", () => {
  it("multiclass hinge gives the lecture's worked example (cat, car, frog scores)", () => {
    // The course notes' three examples: losses 2.9, 0 and 12.9, mean 5.27.
    const scores = tensor(
      [
        [3.2, 5.1, -1.7],
        [1.3, 4.9, 2.0],
        [2.2, 2.5, -3.1],
      ],
      { dtype: "float64" },
    );
    const { loss, coefficients } = multiclassHingeForward(scores, [0, 1, 2], 1);
    expect(loss).toBeCloseTo((2.9 + 0 + 12.9) / 3, 12);
    expect(coefficients.toArray()).toEqual([
      [-1, 1, 0],
      [0, 0, 0],
      [1, 1, -2],
    ]);
  });

  it("softmax cross-entropy is −log p_y with probabilities summing to 1, and finite at ±1e4", () => {
    const { loss, probs } = softmaxCrossEntropyForward(tensor([[1, 2, 3]], { dtype: "float64" }), [2]);
    const z = Math.exp(1) + Math.exp(2) + Math.exp(3);
    expect(loss).toBeCloseTo(-Math.log(Math.exp(3) / z), 14);
    expect(Array.from(probs.data).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 15);
    const big = softmaxCrossEntropyForward(tensor([[1e4, -1e4, 0]], { dtype: "float64" }), [1]);
    expect(big.loss).toBe(2e4);
  });

  it("labels are checked: count, range and integrality, naming index and value", () => {
    const s = tensor([
      [0, 0],
      [0, 0],
    ]);
    expect(() => softmaxCrossEntropyForward(s, [0])).toThrow(ShapeError);
    expect(() => softmaxCrossEntropyForward(s, [0])).toThrow(/expected 2 labels/);
    expect(() => multiclassHingeForward(s, new Uint8Array([0, 2]), 1)).toThrow(IndexError);
    expect(() => multiclassHingeForward(s, new Uint8Array([0, 2]), 1)).toThrow(
      /label 2 at index 1 is outside \[0, 2\)/,
    );
    expect(() => multiclassHingeForward(s, [0.5, 1], 1)).toThrow(/label 0.5 at index 0/);
  });
});
