import { afterAll, describe, expect, it } from "vitest";
import { randn } from "../create.js";
import { kernels } from "../kernels/registry.js";
import { reuseBuffers } from "../buffers.js";
import { add, mul } from "../ops/elementwise.js";
import { matmul } from "../ops/matmul.js";
import { Rng } from "../rng.js";
import { disableThreads, enableThreads } from "./threads.js";

afterAll(() => disableThreads());

describe("matrix products on two threads", () => {
  it("give the same bits as on one thread, in every transposition that splits", async () => {
    const rng = new Rng("threads");
    const cases = [
      [256, 3073, 10, false, false],
      [3073, 256, 10, true, false],
      [130, 300, 70, false, true],
      [512, 512, 512, false, false],
      [3, 5, 7, false, false],
      [256, 10, 3073, false, true],
      [3072, 256, 100, true, false],
      [256, 3072, 100, false, false],
      [1001, 33, 17, false, false],
      [300, 200, 70, true, true],
      // large enough (≥ 2²⁴ multiply-adds) to be split: every kernel, ragged edges included
      [2050, 16, 1001, false, false],
      [1001, 16, 2050, false, true],
      [600, 401, 100, true, true],
      [3073, 1000, 10, true, false],
    ] as const;
    const operands = cases.map(
      ([m, k, n, tA, tB]) => [randn(tA ? [k, m] : [m, k], { rng }), randn(tB ? [n, k] : [k, n], { rng })] as const,
    );
    const single = cases.map(
      ([, , , tA, tB], i) => matmul(operands[i]![0], operands[i]![1], { transposeA: tA, transposeB: tB }).data,
    );
    await enableThreads({ threads: 2 });
    expect(kernels().name).toBe("wasm-simd × 2 threads");
    cases.forEach(([, , , tA, tB], i) => {
      const threaded = matmul(operands[i]![0], operands[i]![1], { transposeA: tA, transposeB: tB }).data;
      expect(Buffer.from(threaded.buffer).equals(Buffer.from(single[i]!.buffer))).toBe(true);
    });
    disableThreads();
    expect(kernels().name).toBe("wasm-simd");
  });

  it("a reused step whose buffers live in the kernels' memory gives the same bits on two threads", async () => {
    const rng = new Rng("resident threads");
    const x = randn([2048, 300], { rng }),
      w = randn([300, 40], { rng }),
      bias = randn([40], { rng });
    // 24.6 M multiply-adds: split on two threads, reading a product of the step's own buffers.
    const plain = () => matmul(add(mul(matmul(x, w), 0.5), bias), w, { transposeB: true }).data.slice();
    const expected = plain();
    await enableThreads({ threads: 2 });
    try {
      const step = reuseBuffers(plain);
      for (let i = 0; i < 4; i++) expect(Buffer.from(step().buffer).equals(Buffer.from(expected.buffer))).toBe(true);
      expect(step.stats.resident).toBeGreaterThan(0);
    } finally {
      disableThreads();
    }
  });

  it("rejects a bad thread count", async () => {
    await expect(enableThreads({ threads: 0 })).rejects.toThrow(/threads must be an integer in \[1, 16\], got 0/);
  });
});
