// Gradients at the edges where a formula gives 0·∞ = NaN but PyTorch 1.13 gives an exact answer (issue #15),
// from scripts/fixtures/torch_autograd_edge_fixtures.py (tests/fixtures/torch/autograd-edges.json).
import * as ag from "@slope/autograd";
import { param } from "@slope/autograd";
import * as core from "@slope/core";
import { describe, expect, it } from "vitest";
import { loadFixture, toNumber } from "./fixtures/torch/parity.js";

interface PowCase {
  a: (number | string)[];
  b: (number | string)[];
  y: (number | string)[];
  gradA: (number | string)[];
  gradB: (number | string)[];
}
const fixture = loadFixture<{ pow: PowCase[] }>("autograd-edges.json");

/** Fails with the first index where `actual` differs from PyTorch's `expected` (NaN equals NaN; exact match). */
function expectSame(actual: ArrayLike<number>, expected: (number | string)[], what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const want = toNumber(expected[i]!),
      got = actual[i]!;
    if (!(Object.is(got, want) || got === want || (Number.isNaN(got) && Number.isNaN(want)))) {
      expect.fail(`${what}[${i}]: expected ${want}, got ${got}`);
    }
  }
}

describe("pow's gradient matches PyTorch exactly where a = 0 or b = 0", () => {
  it("∂(aᵇ)/∂b is 0 at a = 0, b ≥ 0, and ∂(a⁰)/∂a is 0 at a = 0 (not NaN), in float32 and float64", () => {
    for (const dtype of ["float64", "float32"] as const) {
      for (const c of fixture.pow) {
        const a = param(core.tensor(c.a.map(toNumber), { dtype })),
          b = param(core.tensor(c.b.map(toNumber), { dtype }));
        const y = ag.pow(a, b);
        ag.sum(y).backward();
        expectSame(y.value.data, c.y, `${dtype} y`);
        const rounded = (values: (number | string)[]) =>
          values.map((v) => (dtype === "float64" ? v : Math.fround(toNumber(v))));
        expectSame(a.grad!.data, rounded(c.gradA), `${dtype} ∂a`);
        expectSame(b.grad!.data, rounded(c.gradB), `${dtype} ∂b`);
      }
    }
  });

  it("the second derivative of a² at a = 0 is 2, and of a⁰ is 0 (the zeros stay differentiable)", () => {
    const d2 = ag.grad(ag.grad((x) => ag.sum(ag.pow(x, 2))));
    expect(d2(core.tensor([0], { dtype: "float64" })).value.data[0]).toBe(2);
    const d2zero = ag.grad(ag.grad((x) => ag.sum(ag.pow(x, 0))));
    expect(d2zero(core.tensor([0], { dtype: "float64" })).value.data[0]).toBe(0);
  });
});
