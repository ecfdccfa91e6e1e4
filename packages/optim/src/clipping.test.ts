import { ValueError, tensor } from "@slope/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clipGradNorm } from "./clipping.js";
import type { Parameter } from "./optimizer.js";

const f64 = (values: number[]): Parameter => ({
  value: tensor(new Float64Array(values.length), { shape: [values.length] }),
  grad: tensor(Float64Array.from(values), { shape: [values.length] }),
});
const grads = (params: Parameter[]) => params.flatMap((p) => Array.from(p.grad?.data ?? []));

// The numbers against PyTorch for every normType: tests/torch-parity-schedules.test.ts.
describe("clipGradNorm", () => {
  it("scales every gradient by maxNorm / (total + 1e-6) when that is below 1, and returns the total", () => {
    const params = [f64([3, -4]), f64([12])];
    expect(clipGradNorm(params, 6.5)).toBe(13);
    const c = 6.5 / (13 + 1e-6);
    expect(grads(params)).toEqual([3 * c, -4 * c, 12 * c]);
  });

  it("p = 1 sums |g|, p = ∞ takes the largest |g|, p = 3 is (Σ|g|³)^(1/3), all over every parameter", () => {
    const make = () => [f64([3, -4]), f64([1])];
    expect(clipGradNorm(make(), 100, { normType: 1 })).toBe(8);
    expect(clipGradNorm(make(), 100, { normType: Infinity })).toBe(4);
    expect(clipGradNorm(make(), 100, { normType: 3 })).toBeCloseTo(Math.cbrt(27 + 64 + 1), 14);
  });

  it("with no gradients the total is 0 and nothing changes", () => {
    const p: Parameter = { value: tensor([1], { dtype: "float64" }), grad: null };
    expect(clipGradNorm([p], 1)).toBe(0);
    expect(p.grad).toBeNull();
  });

  it("a non-finite total: an error with errorIfNonfinite (gradients untouched), else NaN in gives NaN out", () => {
    const params = [f64([1, NaN])];
    expect(() => clipGradNorm(params, 1, { errorIfNonfinite: true })).toThrow(/total norm of order 2 .* is NaN/);
    expect(grads(params)).toEqual([1, NaN]);
    expect(clipGradNorm(params, 1)).toBeNaN();
    expect(grads(params).every(Number.isNaN)).toBe(true);
    const inf = [f64([2, -Infinity])];
    expect(clipGradNorm(inf, 1, { normType: 1 })).toBe(Infinity);
    expect(grads(inf)[0]).toBe(0); // scaled by maxNorm / ∞ = 0, as PyTorch
  });

  it("the total does not overflow or underflow where Σ|g|^p would (1e200 and 1e-200 with p = 2, 3)", () => {
    expect(clipGradNorm([f64([1e200, 1e200])], Number.MAX_VALUE)).toBeCloseTo(Math.SQRT2 * 1e200, -186);
    expect(clipGradNorm([f64([1e-200, 1e-200])], 1) / 1e-200).toBeCloseTo(Math.SQRT2, 14);
    expect(clipGradNorm([f64([1e150, 1e150])], Number.MAX_VALUE, { normType: 3 }) / 1e150).toBeCloseTo(
      Math.cbrt(2),
      14,
    );
  });

  it("after clipping, the norm is at most maxNorm and every gradient keeps its direction (property)", () => {
    const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true });
    const gradient = (n: number) => fc.array(finite, { minLength: 1, maxLength: n });
    fc.assert(
      fc.property(
        gradient(20),
        gradient(5),
        fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
        fc.constantFrom(1, 1.5, 2, 3, Infinity),
        (a, b, maxNorm, p) => {
          const params = [f64(a), f64(b)];
          const before = grads(params);
          const total = clipGradNorm(params, maxNorm, { normType: p });
          const after = grads(params);
          const norm = clipGradNorm(
            params.map((q) => f64(Array.from(q.grad!.data))),
            Infinity,
            { normType: p },
          );
          const scale = Math.min(1, maxNorm / (total + 1e-6));
          const kept = after.every((v, i) => v === before[i]! * (scale < 1 ? scale : 1));
          return kept && norm <= Math.max(maxNorm, total) * (1 + 1e-12);
        },
      ),
    );
  });

  it("bad arguments are ValueErrors naming what was expected", () => {
    const params = [f64([1])];
    expect(() => clipGradNorm(params, 1, { normType: 0 })).toThrow(/normType must be a number > 0 or Infinity, got 0/);
    expect(() => clipGradNorm(params, 1, { normType: -Infinity })).toThrow(ValueError);
    expect(() => clipGradNorm(params, 1, { normType: NaN })).toThrow(/got NaN/);
    expect(() => clipGradNorm(params, 0)).toThrow(/maxNorm must be > 0, got 0/);
    expect(() => clipGradNorm(params, 1, { errorIfNonfinite: "yes" as never })).toThrow(
      /errorIfNonfinite must be true or false/,
    );
  });
});
