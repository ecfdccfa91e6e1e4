import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { randn, tensor, zeros } from "../create.js";
import { DTypeError, ShapeError } from "../errors.js";
import { Rng } from "../rng.js";
import type { Tensor } from "../tensor.js";
import { transpose } from "./layout.js";
import { matmul } from "./matmul.js";

/** The textbook triple loop, as a reference. */
function naive(a: Tensor, b: Tensor): number[] {
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1]!;
  const out: number[] = [];
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a.data[i * k + p]! * b.data[p * n + j]!;
      out.push(s);
    }
  return out;
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number) {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++)
    expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(want[i]!)));
}

describe.each(["float32", "float64"] as const)("matmul in %s", (dtype) => {
  const tol = dtype === "float32" ? 1e-5 : 1e-12;

  it("multiplies a hand-worked 2×3 by 3×2", () => {
    const a = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { dtype },
    );
    const b = tensor(
      [
        [7, 8],
        [9, 10],
        [11, 12],
      ],
      { dtype },
    );
    const c = matmul(a, b);
    expect(c.toArray()).toEqual([
      [58, 64],
      [139, 154],
    ]);
    expect(c.dtype).toBe(dtype);
  });

  it.each([
    [1, 1, 1],
    [5, 7, 3],
    [9, 13, 10],
    [33, 65, 17],
    [4, 0, 3],
  ])("agrees with the triple loop at %i×%i·%i×…, in all four transpositions", (m, k, n) => {
    const rng = new Rng(m * 100 + k * 10 + n);
    const a = randn([m, k], { rng, dtype });
    const b = randn([k, n], { rng, dtype });
    const want = naive(a, b);
    expectClose(matmul(a, b).data, want, tol * Math.max(k, 1));
    const aT = transpose(a);
    const bT = transpose(b);
    expectClose(matmul(aT, b, { transposeA: true }).data, want, tol * Math.max(k, 1));
    expectClose(matmul(a, bT, { transposeB: true }).data, want, tol * Math.max(k, 1));
    expectClose(matmul(aT, bT, { transposeA: true, transposeB: true }).data, want, tol * Math.max(k, 1));
  });

  it("batches 3-D operands and broadcasts a batch of one or a 2-D operand", () => {
    const rng = new Rng(9);
    const a = randn([3, 4, 5], { rng, dtype });
    const b = randn([1, 5, 2], { rng, dtype });
    const c = matmul(a, b);
    expect(c.shape).toEqual([3, 4, 2]);
    for (let i = 0; i < 3; i++) {
      const ai = tensor(a.data.slice(i * 20, (i + 1) * 20), { shape: [4, 5], dtype });
      const bi = tensor(b.data.slice(0, 10), { shape: [5, 2], dtype });
      expectClose(c.data.slice(i * 8, (i + 1) * 8), naive(ai, bi), tol * 5);
    }
    expect(matmul(a, tensor(b.data.slice(), { shape: [5, 2], dtype })).data).toEqual(c.data);
  });
});

describe("matmul errors and properties", () => {
  it("names both shapes when inner dimensions differ", () => {
    expect(() => matmul(zeros([256, 3073]), zeros([3072, 10]))).toThrow(ShapeError);
    expect(() => matmul(zeros([256, 3073]), zeros([3072, 10]))).toThrow(
      "matmul: inner dimensions differ: [256, 3073] · [3072, 10]",
    );
    expect(() => matmul(zeros([2, 3]), zeros([2, 3]), { transposeB: true })).not.toThrow();
    expect(() => matmul(zeros([3]), zeros([3, 1]))).toThrow(/expected 2-D or 3-D operands, got a of shape \[3\]/);
    expect(() => matmul(zeros([2, 2, 2]), zeros([3, 2, 2]))).toThrow(/batch dimensions differ/);
    expect(() => matmul(zeros([2, 2]), zeros([2, 2], { dtype: "float64" }))).toThrow(DTypeError);
  });

  it("(AB)C ≈ A(BC)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer(),
        (m, k, l, n, seed) => {
          const rng = new Rng(seed);
          const a = randn([m, k], { rng, dtype: "float64" });
          const b = randn([k, l], { rng, dtype: "float64" });
          const c = randn([l, n], { rng, dtype: "float64" });
          const left = matmul(matmul(a, b), c).data;
          const right = matmul(a, matmul(b, c)).data;
          return left.every((v, i) => Math.abs(v - right[i]!) <= 1e-10 * (1 + Math.abs(v)));
        },
      ),
    );
  });
});
