// A reused step never hands one buffer to two live uses (issue #15): fed its own output, or called again while an
// async call is in flight.
import { describe, expect, it } from "vitest";
import { BufferReuseError, reuseBuffers } from "./buffers.js";
import { randn, tensor } from "./create.js";
import { add, mul } from "./ops/elementwise.js";
import { transpose } from "./ops/layout.js";
import { matmul } from "./ops/matmul.js";
import { Rng } from "./rng.js";
import type { Tensor } from "./tensor.js";

/** Fails with the first index where two arrays differ. */
function expectSame(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect.fail(`index ${i}: ${expected[i]} vs ${actual[i]}`);
  }
}

describe("a reused step fed its own previous output (x = step(x))", () => {
  const rng = new Rng("aliasing");
  const sizes = [
    ["small float64", "float64", 6],
    ["large float32 (WebAssembly, resident)", "float32", 96],
  ] as const;
  for (const [name, dtype, n] of sizes) {
    it(`matmul(A, x) or transpose(x) alone gives the plain step's values, call after call (${name})`, () => {
      const A = randn([n, n], { rng, dtype, std: 0.3 }),
        x0 = randn([n, n], { rng, dtype });
      // The large case is transpose(x) alone: a large product copies its operands into the module before it writes.
      const plainStep = (x: Tensor) => (n > 32 ? transpose(x) : matmul(A, x));
      let expected = x0;
      const want: (Float32Array | Float64Array)[] = [];
      for (let i = 0; i < 6; i++) {
        expected = plainStep(expected);
        want.push(expected.data.slice());
      }
      const step = reuseBuffers(plainStep);
      let x = x0;
      for (let i = 0; i < 6; i++) {
        x = step(x);
        expectSame(x.data, want[i]!);
      }
      expect(step.stats.misses).toBe(0); // the buffers alternate: nothing new once both exist
    });
  }

  it("transpose(x) and an elementwise chain read their input before anything overwrites it", () => {
    const step = reuseBuffers((x: Tensor) => transpose(x));
    let x = tensor([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    x = step(x);
    x = step(x);
    expectSame(x.data, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const chain = reuseBuffers((p: { x: Tensor }) => add(mul(transpose(p.x), 2), 1));
    let y = tensor([
      [1, 2],
      [3, 4],
    ]);
    for (let i = 0; i < 3; i++) y = chain({ x: y }); // passed inside an object
    expectSame(y.data, [15, 31, 23, 39]);
  });
});

describe("a reused async step", () => {
  it("called again before its previous promise settles is a BufferReuseError, and is fine once it has", async () => {
    const step = reuseBuffers(async (x: Tensor) => {
      const y = mul(x, 2);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return y.data[0]!;
    });
    const first = step(tensor([1, 2]));
    expect(() => step(tensor([3, 4]))).toThrow(BufferReuseError);
    expect(await first).toBe(2);
    expect(await step(tensor([5, 6]))).toBe(10);
  });
});
