import { describe, expect, it } from "vitest";
import { persistent, reuseBuffers, reusingBuffers } from "./buffers.js";
import { zeros } from "./create.js";
import { add, exp, mul } from "./ops/elementwise.js";
import { matmul } from "./ops/matmul.js";
import { sum } from "./ops/reduce.js";
import { Rng } from "./rng.js";
import type { Tensor } from "./tensor.js";
import { randn } from "./create.js";

describe("reuseBuffers", () => {
  it("hands each allocation of a call the buffer of the same allocation in the previous call", () => {
    const x = randn([8, 5], { rng: new Rng(1) });
    const seen: unknown[][] = [];
    const step = reuseBuffers(() => {
      const a = exp(x);
      const b = matmul(a, a, { transposeB: true });
      seen.push([a.data, b.data]);
      return sum(b).item();
    });
    const first = step();
    const second = step();
    expect(second).toBe(first);
    expect(seen[1]![0]).toBe(seen[0]![0]);
    expect(seen[1]![1]).toBe(seen[0]![1]);
    expect(step.stats.misses).toBe(0);
    expect(step.stats.bytes).toBeGreaterThanOrEqual(4 * (40 + 64 + 1));
  });

  it("gives reused buffers back zero-filled, as a fresh allocation would be", () => {
    const step = reuseBuffers(() => {
      const z = zeros([100]);
      const total = Array.from(z.data).reduce((s, v) => s + v, 0);
      z.data.fill(7); // the step scribbles over its scratch
      return total;
    });
    expect(step()).toBe(0);
    expect(step()).toBe(0);
  });

  it("stays correct when a call's shapes change, replacing the buffers that no longer fit", () => {
    const step = reuseBuffers((n: number) => sum(add(zeros([n]), 1)).item());
    expect(step(10)).toBe(10);
    expect(step(20)).toBe(20);
    expect(step.stats.misses).toBeGreaterThan(0);
    expect(step(20)).toBe(20);
    expect(step.stats.misses).toBe(0);
  });

  it("keeps what persistent makes out of the scratch, and restores the allocator after a throw", () => {
    let kept: Float32Array | Float64Array | null = null;
    const step = reuseBuffers(() => {
      expect(reusingBuffers()).toBe(true);
      kept ??= persistent(() => zeros([4]).data);
      expect(reusingBuffers()).toBe(true);
      return mul(zeros([4]), 2).data;
    });
    const scratch = step();
    kept!.fill(5);
    expect(step()).toBe(scratch);
    expect(Array.from(kept!)).toEqual([5, 5, 5, 5]); // not handed out (and zeroed) again
    const failing = reuseBuffers(() => {
      throw new Error("boom");
    });
    expect(() => failing()).toThrow("boom");
    expect(reusingBuffers()).toBe(false);
  });

  it("refuses a step that calls itself, which would hand out its own live buffers again", () => {
    const step: ReturnType<typeof reuseBuffers<[number], number>> = reuseBuffers((depth: number): number =>
      depth === 0 ? 0 : step(depth - 1) + sum(zeros([3])).item(),
    );
    expect(() => step(2)).toThrow(/reuseBuffers: the step called itself/);
    expect(step(0)).toBe(0); // and it runs again afterwards
  });

  it("nests: an inner step keeps its own buffers and the outer one resumes after it", () => {
    const inner = reuseBuffers(() => exp(zeros([3])).data);
    const outer = reuseBuffers(() => [zeros([2]).data, inner(), zeros([2]).data] as const);
    const [a1, i1, b1] = outer();
    const [a2, i2, b2] = outer();
    expect([a2, i2, b2]).toEqual([a1, i1, b1]);
    expect(a2).toBe(a1);
    expect(b2).toBe(b1);
    expect(i2).toBe(i1);
    expect(new Set([a1, i1, b1]).size).toBe(3);
  });

  it("a step's float32 buffers live in the kernel memory from its first call, with the same results", () => {
    const rng = new Rng(2);
    const x = randn([64, 300], { rng }),
      w = randn([300, 40], { rng });
    const plain = () => sum(exp(mul(matmul(x, w), 0.01))).item();
    const step = reuseBuffers(plain);
    const expected = plain();
    expect(step()).toBe(expected); // makes its buffers, in the kernel memory
    expect(step.stats.resident).toBe(step.stats.buffers);
    expect(step.stats.resident).toBeGreaterThan(0);
    expect(step()).toBe(expected); // computes in place there
    expect(step()).toBe(expected);
    expect(step.stats.misses).toBe(0);
  });

  it("new shapes make new buffers there, float64 ones too", () => {
    const rng = new Rng(3);
    const step = reuseBuffers((x: Tensor) => matmul(exp(x), x, { transposeB: true }).data.slice());
    const small = randn([30, 200], { rng }),
      large = randn([50, 200], { rng });
    for (let i = 0; i < 3; i++) step(small);
    const resident = step.stats.resident;
    expect(resident).toBeGreaterThan(0);
    const fromLarge = step(large);
    expect(step.stats.misses).toBeGreaterThan(0);
    expect(step(large)).toEqual(fromLarge);
    expect(step.stats.misses).toBe(0);
    expect(step.stats.resident).toBe(resident);
    const doubles = reuseBuffers((x: Tensor) => exp(x).data.slice());
    const small64 = randn([30, 200], { rng, dtype: "float64" });
    for (let i = 0; i < 3; i++) doubles(small64);
    expect(doubles.stats.resident).toBe(doubles.stats.buffers);
  });
});
