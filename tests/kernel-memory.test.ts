// The one kernel memory across packages: the lecture's step (bytes in an ImageFeatures, a DataLoader, a reused step,
// SGD) copies nothing once steady, on one thread and on two, gathers exactly toFeatures' rows, and keeps the
// WebAssembly memory flat over 10,000 steps.
import { add, l2, linear, mul, param, softmaxCrossEntropy } from "@slope/autograd";
import { Rng, gather, memoryStats, randn, reuseBuffers, tracePlacement } from "@slope/core";
import { disableThreads, enableThreads } from "@slope/core/node";
import { DataLoader, ImageFeatures, meanImage, toFeatures } from "@slope/data";
import { Adam, SGD } from "@slope/optim";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import { bits, firstDifference } from "./support/bits.js";

afterEach(() => disableThreads());

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const COUNT = 512;
const rng = new Rng("kernel memory");
const images = Uint8Array.from({ length: COUNT * 3072 }, () => rng.int(256));
const labels = Int32Array.from({ length: COUNT }, () => rng.int(10));
const mean = meanImage(images, COUNT);

/** The lecture's step over `features`: linear scores, softmax loss, L2, and the optimizer `kind`; returns the step. */
function lectureStep(kind: "sgd" | "adam", seed: string) {
  const features = new ImageFeatures(images, COUNT, { mean, bias: true });
  const loader = new DataLoader(features, labels, { batchSize: 64, shuffle: true, rng: new Rng(seed) });
  const W = param(randn([3073, 10], { rng: new Rng(`${seed} W`), std: 1e-3 }));
  const optimizer = kind === "sgd" ? new SGD([W], { lr: 1e-7 }) : new Adam([W], { lr: 1e-4 });
  const step = reuseBuffers(() => {
    const { x, y } = loader.next();
    optimizer.zeroGrad();
    const loss = add(softmaxCrossEntropy(linear(x, W), y), mul(l2(W), 2.5e4));
    loss.backward();
    optimizer.step();
    return loss.item();
  });
  return { step, W, features, loader };
}

describe("the kernel memory, across packages", () => {
  it("keeps the data set's bytes and the batches in it, and gathers exactly toFeatures' rows", () => {
    const { features, loader } = lectureStep("sgd", "rows");
    expect(memoryStats()?.policy).toBe("one memory");
    const { x, indices } = loader.next();
    const expected = gather(toFeatures(images, COUNT, { mean, bias: true }), indices);
    expect(features.images.buffer instanceof SharedArrayBuffer).toBe(true);
    expect(x.data.buffer instanceof SharedArrayBuffer).toBe(true);
    expect(firstDifference(bits(x), bits(expected))).toBe(-1);
  });

  it("an ImageFeatures made over another's bytes (in the kernel memory) keeps them alive when the first is dropped", async () => {
    let first: ImageFeatures | null = new ImageFeatures(images, COUNT);
    const second = new ImageFeatures(first.images, COUNT - 1, { mean, bias: true }); // a view of the first's bytes
    first = null;
    for (let i = 0; i < 4; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    for (let i = 0; i < 8; i++) param(randn([COUNT * 768], { rng })); // owned blocks that would take a freed one
    const rows = [0, 1, COUNT - 2];
    const expected = gather(toFeatures(images, COUNT, { mean, bias: true }), rows);
    expect(firstDifference(bits(second.gather(rows)), bits(expected))).toBe(-1);
  });

  it.each([1, 2])("a steady lecture step copies 0 bytes on %i thread(s), with one thread's bits", async (threads) => {
    if (threads > 1) await enableThreads({ threads });
    const { step, W } = lectureStep("sgd", "steady");
    for (let i = 0; i < 3; i++) step();
    const { ops, bytesCopied } = tracePlacement(() => step());
    expect(
      ops.filter((r) => r.bytesCopied > 0),
      "ops that copied",
    ).toEqual([]);
    expect(bytesCopied).toBe(0);
    expect(ops.some((r) => r.op === "matmul" && r.place !== "javascript")).toBe(true);
    disableThreads();
    const { step: oneThread, W: W1 } = lectureStep("sgd", "steady");
    for (let i = 0; i < 4; i++) oneThread();
    expect(firstDifference(bits(W.value), bits(W1.value))).toBe(-1);
  });

  it("is flat over 10,000 reused steps: no new block, and the memory no larger after them than after 100", () => {
    const { step } = lectureStep("adam", "flat");
    for (let i = 0; i < 100; i++) step();
    const after100 = memoryStats()!;
    for (let i = 0; i < 9_900; i++) step();
    const after10k = memoryStats()!;
    expect(after10k.memoryBytes / after100.memoryBytes).toBeLessThanOrEqual(1.05);
    expect(after10k.ownedBlocks).toBe(after100.ownedBlocks);
    expect(after10k.ownedBytes).toBe(after100.ownedBytes);
  }, 120_000);
});
