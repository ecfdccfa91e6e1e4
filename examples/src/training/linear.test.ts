// The lecture's full loss, data + reg·ΣW², as the experiments print and train on it.
import { describe, expect, it } from "vitest";
import { param } from "@slope/autograd";
import { fromData } from "@slope/core";
import { linearLoss } from "./linear.js";

/** One example whose pixels are 0 (only the bias row of W scores it) and a W whose pixel rows are huge but finite. */
function overflowingW(dtype: "float32" | "float64") {
  const d = 5,
    classes = 10,
    big = dtype === "float32" ? 1e20 : 1e160; // big² overflows the dtype
  const make = dtype === "float32" ? (n: number) => new Float32Array(n) : (n: number) => new Float64Array(n);
  const x = make(d);
  x[d - 1] = 1;
  const W = make(d * classes).fill(big);
  for (let k = 0; k < classes; k++) W[(d - 1) * classes + k] = 0.1 * k; // the bias row: small scores
  return { x: fromData(x, [1, d]), W: param(fromData(W, [d, classes])) };
}

describe("linearLoss", () => {
  for (const loss of ["svm", "softmax"] as const) {
    for (const dtype of ["float32", "float64"] as const) {
      it(`${loss}, ${dtype}: with reg 0 the loss is the data loss, finite, while ΣW² overflows (no 0·∞ = NaN)`, () => {
        const { x, W } = overflowingW(dtype);
        for (const value of W.value.data) expect(Number.isFinite(value)).toBe(true);
        const value = linearLoss(loss, x, W, [3], 0);
        expect(Number.isFinite(value.item())).toBe(true);
        value.backward();
        for (let i = 0; i < W.grad!.size; i++) {
          if (!Number.isFinite(W.grad!.data[i]!)) expect.fail(`gradient ${i} is ${W.grad!.data[i]}`);
        }
        // A positive reg still adds the penalty, which really is infinite here.
        expect(linearLoss(loss, x, W, [3], 1e-3).item()).toBe(Infinity);
      });
    }
  }

  it("NaN in W gives NaN out, with any reg", () => {
    const { x, W } = overflowingW("float32");
    W.value.data[W.value.size - 1] = NaN;
    expect(linearLoss("softmax", x, W, [3], 0).item()).toBeNaN();
    expect(linearLoss("svm", x, W, [9], 5).item()).toBeNaN();
  });
});
