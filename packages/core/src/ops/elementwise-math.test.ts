import { describe, expect, it } from "vitest";
import { tensor } from "../create.js";
import { kernels } from "../kernels/index.js";
import { Rng } from "../rng.js";
import { erf as erfScalar } from "../special/erf.js";
import type { Tensor } from "../tensor.js";
import { cos, erf, expm1, log1p, sin } from "./elementwise.js";

const ops: [name: string, op: (x: Tensor) => Tensor, reference: (x: number) => number][] = [
  ["sin", sin, Math.sin],
  ["cos", cos, Math.cos],
  ["log1p", log1p, Math.log1p],
  ["expm1", expm1, Math.expm1],
  ["erf", erf, erfScalar],
];

/** Fails with the first index where `actual` differs from `expected` (NaN equals NaN). */
function expectSameValues(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i]) && !(actual[i] === expected[i])) {
      throw new Error(`index ${i}: got ${actual[i]}, expected ${expected[i]}`);
    }
  }
}

describe.each(ops)("%s", (_, op, reference) => {
  const inputs = [0, -0, 0.5, -0.5, 1e-12, -3, 2, 10, -10, Infinity, -Infinity, Number.NaN, -0.99];

  it("gives Math's value bit for bit in float64, NaN for NaN, and keeps shape and dtype", () => {
    const x = tensor(inputs, { dtype: "float64", shape: [13] });
    const y = op(x);
    expect(y.dtype).toBe("float64");
    expect(y.shape).toEqual([13]);
    expectSameValues(y.data, inputs.map(reference));
  });

  it("rounds the float64 value once in float32", () => {
    const x = tensor(inputs, { dtype: "float32", shape: [13] });
    const y = op(x);
    expect(y.dtype).toBe("float32");
    expectSameValues(
      y.data,
      Array.from(x.data, (v) => Math.fround(reference(v))),
    );
  });

  it("falls back to JavaScript under the WebAssembly backend for float32 arrays of 4096 elements and more", () => {
    const rng = new Rng(`wasm-fallback-${op.name}`);
    const x = tensor(
      Float32Array.from({ length: 10_000 }, () => (rng.uniform() - 0.3) * 8),
      { shape: [100, 100] },
    );
    const y = op(x);
    expect(kernels().name).toBe("wasm-simd"); // the default backend where the platform has SIMD
    expectSameValues(
      y.data,
      Array.from(x.data, (v) => Math.fround(reference(v))),
    );
  });
});

describe("log1p and expm1 where 1 + x loses x", () => {
  it("keep every digit of a tiny x (where log(1 + x) and exp(x) − 1 give 0)", () => {
    const x = tensor([1e-20, -1e-20], { dtype: "float64" });
    expectSameValues(log1p(x).data, [1e-20, -1e-20]);
    expectSameValues(expm1(x).data, [1e-20, -1e-20]);
  });

  it("log1p(−1) = −∞ and below −1 is NaN; expm1(−∞) = −1", () => {
    expectSameValues(log1p(tensor([-1, -2], { dtype: "float64" })).data, [-Infinity, Number.NaN]);
    expectSameValues(expm1(tensor([-Infinity], { dtype: "float64" })).data, [-1]);
  });
});
