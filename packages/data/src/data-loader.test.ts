import { Rng, clone, gather, kernels, matmul, randn } from "@slope/core";
import { describe, expect, it } from "vitest";
import { DataLoader } from "./data-loader.js";
import { ReplacementSampler } from "./samplers/replacement-sampler.js";

const rng = new Rng("loader");
const x = randn([23, 5], { rng });
const y = Int32Array.from({ length: 23 }, (_, i) => i % 4);

describe("DataLoader", () => {
  it("each batch equals the gathered rows and labels of its indices; an epoch covers every row once", () => {
    const loader = new DataLoader(x, y, { batchSize: 5, shuffle: true, rng: new Rng(1) });
    const seen: number[] = [];
    for (const batch of loader) {
      expect(Array.from(batch.x.data)).toEqual(Array.from(gather(x, batch.indices).data));
      expect(Array.from(batch.y)).toEqual(Array.from(batch.indices, (i) => y[i]));
      seen.push(...batch.indices);
    }
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    expect(loader.epoch).toBe(1);
  });

  it("full batch, batch 1 and mini-batches are just batch sizes; dropLast drops the short one", () => {
    expect([...new DataLoader(x, y, { batchSize: 23 })].map((b) => b.x.shape[0])).toEqual([23]);
    expect([...new DataLoader(x, y, { batchSize: 1 })]).toHaveLength(23);
    expect([...new DataLoader(x, y, { batchSize: 10 })].map((b) => b.x.shape[0])).toEqual([10, 10, 3]);
    expect([...new DataLoader(x, y, { batchSize: 10, dropLast: true })].map((b) => b.x.shape[0])).toEqual([10, 10]);
  });

  it("reuses one buffer per batch size: no tensor is allocated in the steady state", () => {
    const loader = new DataLoader(x, y, { batchSize: 4, shuffle: true, rng: new Rng(2), dropLast: true });
    const first = loader.next();
    const buffers = new Set([first.x.data.buffer]);
    for (let i = 0; i < 50; i++) buffers.add(loader.next().x.data.buffer);
    expect(buffers.size).toBe(1);
  });

  it("keeps its batch in the WebAssembly kernels' memory, where products read it with the bits of a copy", () => {
    const wide = randn([300, 700], { rng: new Rng(4) });
    const loader = new DataLoader(wide, new Int32Array(300), { batchSize: 64, shuffle: true, rng: new Rng(5) });
    const w = randn([700, 30], { rng: new Rng(6) });
    const batch = loader.next();
    if (kernels().name.startsWith("wasm")) expect(batch.x.data.byteOffset).toBeGreaterThan(0); // a view into the module's memory
    expect(Buffer.from(matmul(batch.x, w).data.buffer).equals(Buffer.from(matmul(clone(batch.x), w).data.buffer))).toBe(true);
    expect(Buffer.from(matmul(w, batch.x, { transposeA: true, transposeB: true }).data.buffer).equals(Buffer.from(matmul(w, clone(batch.x), { transposeA: true, transposeB: true }).data.buffer))).toBe(true);
  });

  it("is deterministic from its rng and draws a new order each epoch", () => {
    const orders = (seed: number) => {
      const loader = new DataLoader(x, y, { batchSize: 23, shuffle: true, rng: new Rng(seed) });
      return [Array.from(loader.next().indices), Array.from(loader.next().indices)];
    };
    expect(orders(7)).toEqual(orders(7));
    const [e1, e2] = orders(7);
    expect(e1).not.toEqual(e2);
  });

  it("state saved mid-epoch resumes at the next batch in the same order", () => {
    const straight = new DataLoader(x, y, { batchSize: 4, shuffle: true, rng: new Rng(3) });
    const expected = Array.from({ length: 15 }, () => Array.from(straight.next().indices));
    const first = new DataLoader(x, y, { batchSize: 4, shuffle: true, rng: new Rng(3) });
    const got = Array.from({ length: 8 }, () => Array.from(first.next().indices)); // 6 batches per epoch: mid-epoch 2
    const saved = JSON.parse(JSON.stringify(first.stateDict()));
    const resumed = new DataLoader(x, y, { batchSize: 4, shuffle: true, rng: new Rng(12345) });
    resumed.loadStateDict(saved);
    for (let i = 0; i < 7; i++) got.push(Array.from(resumed.next().indices));
    expect(got).toEqual(expected);
    expect(resumed.epoch).toBe(2);
  });

  it("state saved at an epoch boundary resumes with the next epoch's order", () => {
    const straight = new DataLoader(x, y, { batchSize: 23, shuffle: true, rng: new Rng(5) });
    const expected = [straight.next(), straight.next(), straight.next()].map((b) => Array.from(b.indices));
    const first = new DataLoader(x, y, { batchSize: 23, shuffle: true, rng: new Rng(5) });
    first.next();
    const resumed = new DataLoader(x, y, { batchSize: 23, shuffle: true, rng: new Rng(6) });
    resumed.loadStateDict(JSON.parse(JSON.stringify(first.stateDict())));
    expect([resumed.next(), resumed.next()].map((b) => Array.from(b.indices))).toEqual(expected.slice(1));
  });

  it("takes any sampler, and checks its arguments", () => {
    const loader = new DataLoader(x, y, { batchSize: 8, sampler: new ReplacementSampler(23, { rng: new Rng(4), numSamples: 16 }) });
    expect(loader.length).toBe(2);
    expect(() => new DataLoader(x, y.subarray(1), { batchSize: 2 })).toThrow(/\[23, 5\] rows of x but 22 labels/);
    expect(() => new DataLoader(x, y, { batchSize: 2, shuffle: true })).toThrow(/shuffle needs an rng/);
  });
});
