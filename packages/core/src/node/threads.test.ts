import { afterAll, describe, expect, it } from "vitest";
import { ownedTensor, randn } from "../create.js";
import { kernels } from "../kernels/registry.js";
import { reuseBuffers } from "../buffers.js";
import { add, mul } from "../ops/elementwise.js";
import { matmul } from "../ops/matmul.js";
import { conv2d, conv2dBackwardInput } from "../ops/convolution.js";
import { batchNormBackward, batchNormForward } from "../ops/normalization.js";
import { maxPool2dWithIndices } from "../ops/pooling.js";
import { tracePlacement } from "../kernels/placement.js";
import { Rng } from "../rng.js";
import { disableThreads, enableThreads } from "./threads.js";

afterAll(() => disableThreads());

/**
 * Runs `step` (returning copies of its results) in a reused step on one thread, then on two, and expects the same
 * bits; returns the steady two-thread call's kernel calls as "op place bytesCopied".
 */
async function expectOneThreadsBits(step: () => ArrayBufferView[]): Promise<string[]> {
  const one = reuseBuffers(step)();
  await enableThreads({ threads: 2 });
  try {
    const reused = reuseBuffers(step);
    reused();
    const { result, ops } = tracePlacement(() => reused());
    result.forEach((values, i) => {
      const same = Buffer.from(values.buffer).equals(Buffer.from(one[i]!.buffer));
      expect(same, `result ${i}: the same bits on one thread and on two`).toBe(true);
    });
    return ops.map((r) => `${r.op} ${r.place} ${r.bytesCopied}`);
  } finally {
    disableThreads();
  }
}

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
      // large enough (≥ 2²² multiply-adds, placementPolicy.minParallelWork) to be split: every kernel, ragged edges
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

  it("split elementwise ops and axpy over the kernel memory with one thread's bits, copying nothing", async () => {
    const rng = new Rng("elementwise threads");
    const n = (1 << 18) + 13; // large enough to split, with a ragged last band
    const [a, b] = [randn([n], { rng }), randn([n], { rng })];
    const ops = await expectOneThreadsBits(() => {
      const x = add(mul(add(a, 0), b), 0.25); // add(a, 0): a's values in a buffer of the step's (kernel memory)
      const y = mul(x, x);
      kernels().axpy(y.data, -1e-3 / 3, x.data);
      return [y.data.slice()];
    });
    // All split on the threads; only a and b, which live on the heap, are copied in.
    expect(ops).toEqual([
      `binary:add threads ${4 * n}`,
      `binary:mul threads ${4 * n}`,
      "binary:add threads 0",
      "binary:mul threads 0",
      "axpy threads 0",
    ]);
  });

  it("split a convolution's images across the threads, forward and back, with one thread's bits", async () => {
    const rng = new Rng("convolution threads");
    // 7 images (ragged bands), 2 groups, stride and padding: large enough to split (≥ 2²² multiply-adds).
    const x = randn([7, 8, 40, 40], { rng }),
      w = randn([32, 4, 3, 3], { rng });
    const options = { padding: 1, stride: [1, 2] as [number, number], groups: 2 };
    const ops = await expectOneThreadsBits(() => {
      const resident = add(x, 0); // the images in a buffer of the step's: the kernels take them image by image
      const y = conv2d(resident, w, null, options);
      const dx = conv2dBackwardInput(add(y, 0), w, x.shape, options);
      return [y.data.slice(), dx.data.slice()];
    });
    expect(ops.filter((r) => r.startsWith("conv2d"))).toEqual([
      `conv2d threads ${4 * w.size}`, // the weights, from the heap; the images and outputs are used where they live
      `conv2dBackwardInput threads ${4 * w.size}`,
    ]);
  });

  it("split batch norm's channels across the threads, forward and back, with one thread's bits", async () => {
    const rng = new Rng("batch norm threads");
    const x = randn([16, 37, 18, 18], { rng }), // 37 channels: ragged bands
      g = randn([16, 37, 18, 18], { rng }),
      weight = ownedTensor(randn([37], { rng })), // parameters live in the kernel memory (as param() keeps them)
      bias = ownedTensor(randn([37], { rng }));
    const ops = await expectOneThreadsBits(() => {
      const forward = batchNormForward(add(x, 0), null, null, weight, bias, { training: true });
      const back = batchNormBackward(add(g, 0), forward.normalized!, forward.invStd, weight, {
        training: true,
        needs: [true, true, true],
      });
      return [forward.output, back.dx!, back.dWeight!, back.dBias!].map((t) => t.data.slice());
    });
    expect(ops.filter((r) => r.startsWith("batchNorm"))).toEqual([
      "batchNormStatistics threads 0",
      "batchNormForward threads 0",
      "batchNormBackward threads 0",
    ]);
  });

  it("split 2×2 max pooling's planes across the threads, indices flat into the whole input, with one thread's bits", async () => {
    const rng = new Rng("max pool threads");
    const x = randn([16, 37, 18, 18], { rng });
    const ops = await expectOneThreadsBits(() => {
      const { output, indices } = maxPool2dWithIndices(add(x, 0), { kernelSize: 2, stride: 2 });
      return [output.data.slice(), indices.slice()];
    });
    expect(ops.filter((r) => r.startsWith("maxPool2d"))).toEqual(["maxPool2d threads 0"]);
  });

  it("rejects a bad thread count", async () => {
    await expect(enableThreads({ threads: 0 })).rejects.toThrow(/threads must be an integer in \[1, 16\], got 0/);
  });
});
