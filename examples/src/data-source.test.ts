// The lecture's preprocessing: the course's formula, made once per data set and options.
import { describe, expect, it } from "vitest";
import { IMAGE_BYTES } from "@slope/data";
import { linearFeatures, loadLectureData } from "./data-source.js";

describe("linearFeatures", () => {
  const data = loadLectureData({ seed: 0 }); // as experiments.test.ts: CIFAR-10 when one is found, else the synthetic set

  it("subtracts the training mean image and appends the bias column", () => {
    const f = linearFeatures(data, { dtype: "float64" });
    const { images, count } = data.train;
    expect(f.xTrain.shape).toEqual([count, IMAGE_BYTES + 1]);
    for (const [row, k] of [
      [0, 0],
      [7, 1234],
      [count - 1, IMAGE_BYTES - 1],
    ] as const) {
      let sum = 0;
      for (let n = 0; n < count; n++) sum += images[n * IMAGE_BYTES + k]!;
      expect(f.xTrain.get(row, k)).toBeCloseTo(images[row * IMAGE_BYTES + k]! - sum / count, 12);
      expect(f.xTrain.get(row, IMAGE_BYTES)).toBe(1);
    }
    expect(f.xTest.shape).toEqual([data.test.count, IMAGE_BYTES + 1]);
  });

  it("converts once per data set and options: the tour's experiments share the features", () => {
    const first = linearFeatures(data);
    // Identity compared as booleans: a failing or negated toBe deep-compares the whole tensors.
    expect(linearFeatures(data) === first).toBe(true);
    expect(linearFeatures(data, { scale: 1, dtype: "float32" }) === first).toBe(true);
    const scaled = linearFeatures(data, { scale: 255 });
    expect(scaled === first).toBe(false);
    expect(scaled.xTrain.get(3, 10)).toBeCloseTo(first.xTrain.get(3, 10) / 255, 6);
    expect(linearFeatures(loadLectureData({ seed: 0 })) === first).toBe(false);
  });
});
