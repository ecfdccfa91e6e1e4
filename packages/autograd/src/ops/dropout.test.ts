import * as core from "@slope/core";
import { describe, expect, it } from "vitest";
import { grad } from "../backward.js";
import { gradCheck } from "../gradcheck/index.js";
import { type Var, param } from "../var.js";
import "../methods/install-all.js"; // loss.backward() and the other methods of Var
import { dropout } from "./dropout.js";
import { mul } from "./mul.js";
import { sum } from "./sum.js";

const rng = new core.Rng("dropout");
const normal = (shape: number[], dtype: core.DType = "float64") => core.randn(shape, { rng, dtype });

describe("dropout", () => {
  it.each(["float32", "float64"] as const)("in %s every output is x·1/(1 − p) or 0, ∂L/∂x the same mask", (dtype) => {
    const p = 0.3;
    const x = param(core.add(core.abs(normal([40, 50], dtype)), 0.1)); // never 0, so a dropped value is recognisable
    const y = dropout(x, p, new core.Rng(11));
    const seed = core.ones([40, 50], { dtype });
    y.backward(seed);
    const scale = dtype === "float32" ? Math.fround(1 / (1 - p)) : 1 / (1 - p);
    const product = (v: number) => (dtype === "float32" ? Math.fround(v * scale) : v * scale);
    let bad = -1;
    for (let i = 0; i < x.size && bad < 0; i++) {
      const out = y.value.data[i]!,
        g = x.grad!.data[i]!;
      const keptOk = out === product(x.value.data[i]!) && g === scale;
      const droppedOk = out === 0 && g === 0;
      if (!keptOk && !droppedOk) bad = i;
    }
    expect(bad).toBe(-1);
    expect(y.dtype).toBe(dtype);
  });

  it("keeps a fraction 1 − p of the elements within 5 standard deviations", () => {
    const n = 200_000,
      p = 0.2;
    const y = dropout(core.ones([n], { dtype: "float32" }), p, new core.Rng("fraction"));
    let kept = 0;
    for (let i = 0; i < n; i++) if (y.value.data[i] !== 0) kept++;
    expect(Math.abs(kept / n - (1 - p))).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
  });

  it("the same seed gives the same bits; the rng advances, so the next call draws a new mask", () => {
    const x = normal([30, 30]);
    const a = dropout(x, 0.5, new core.Rng(3)).value,
      b = dropout(x, 0.5, new core.Rng(3)).value;
    let differ = -1;
    for (let i = 0; i < a.size; i++)
      if (!Object.is(a.data[i], b.data[i])) {
        differ = i;
        break;
      }
    expect(differ).toBe(-1);
    const shared = new core.Rng(3);
    const first = dropout(x, 0.5, shared).value,
      second = dropout(x, 0.5, shared).value;
    let same = true;
    for (let i = 0; i < first.size; i++)
      if (first.data[i] !== second.data[i]) {
        same = false;
        break;
      }
    expect(same).toBe(false);
  });

  it("p = 0 and training: false return x itself (the same Var, no draws)", () => {
    const x = param(normal([3, 4]));
    const r = new core.Rng(1);
    const before = JSON.stringify(r.state());
    expect(dropout(x, 0, r)).toBe(x);
    expect(dropout(x, 0.5, r, { training: false })).toBe(x);
    expect(JSON.stringify(r.state())).toBe(before);
  });

  it("p = 1 gives zeros and a zero gradient, with no division by zero", () => {
    const x = param(normal([3, 4]));
    const y = dropout(x, 1, new core.Rng(1));
    y.backward(core.ones([3, 4], { dtype: "float64" }));
    for (let i = 0; i < 12; i++) {
      expect(y.value.data[i] === 0).toBe(true); // −0 for negative x, as x·0 is in PyTorch
      expect(x.grad!.data[i]).toBe(0);
    }
  });

  it("NaN in gives NaN out where kept", () => {
    const x = core.full([64], NaN, { dtype: "float64" });
    const y = dropout(x, 0.5, new core.Rng(2)).value;
    expect(y.data.some((v) => Number.isNaN(v))).toBe(true);
  });

  it("its gradient passes a gradient check with the mask fixed by the seed, and it is twice differentiable", () => {
    const w = normal([5, 6]);
    // x·mask·x: a nonzero second derivative
    const f = (x: Var) => sum(mul(mul(dropout(x, 0.4, new core.Rng(5)), x), w));
    expect(gradCheck(f, [normal([5, 6])]).maxRelError).toBeLessThan(1e-7);
    const hv = grad((x: Var) => sum(grad(f)(x)))(normal([5, 6]));
    const mask = dropout(core.ones([5, 6], { dtype: "float64" }), 0.4, new core.Rng(5)).value;
    for (let i = 0; i < 30; i++) expect(hv.value.data[i]).toBeCloseTo(2 * mask.data[i]! * w.data[i]!, 12);
  });

  it("rejects p outside [0, 1] with a ValueError, in training and in eval", () => {
    const x = normal([2]);
    expect(() => dropout(x, 1.2, new core.Rng(1))).toThrow(
      new core.ValueError("dropout: p must be a probability in [0, 1], got 1.2"),
    );
    expect(() => dropout(x, -0.5, new core.Rng(1), { training: false })).toThrow(core.ValueError);
    expect(() => dropout(x, NaN, new core.Rng(1))).toThrow(core.ValueError);
  });
});
