import { Rng } from "@slope/core";
import { describe, expect, it } from "vitest";
import { BatchSampler } from "./batch-sampler.js";
import { RandomSampler } from "./random-sampler.js";
import { ReplacementSampler } from "./replacement-sampler.js";
import { SequentialSampler } from "./sequential-sampler.js";

const sorted = (a: ArrayLike<number>) => Array.from(a).sort((x, y) => x - y);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("samplers", () => {
  it("SequentialSampler yields 0..n−1 every epoch", () => {
    const s = new SequentialSampler(5);
    expect([...s]).toEqual(range(5));
    expect([...s]).toEqual(range(5));
  });

  it("RandomSampler: each index exactly once per epoch, a new order each epoch, the same orders for the same seed", () => {
    const a = new RandomSampler(100, { rng: new Rng(1) });
    const b = new RandomSampler(100, { rng: new Rng(1) });
    const e1 = a.order(),
      e2 = a.order();
    expect(sorted(e1)).toEqual(range(100));
    expect(sorted(e2)).toEqual(range(100));
    expect(Array.from(e1)).not.toEqual(Array.from(e2));
    expect(Array.from(b.order())).toEqual(Array.from(e1));
    expect(Array.from(b.order())).toEqual(Array.from(e2));
  });

  it("RandomSampler state restores the next epoch's order", () => {
    const a = new RandomSampler(50, { rng: new Rng(2) });
    a.order();
    const saved = JSON.parse(JSON.stringify(a.stateDict()));
    const next = a.order();
    const b = new RandomSampler(50, { rng: new Rng(99) });
    b.loadStateDict(saved);
    expect(Array.from(b.order())).toEqual(Array.from(next));
  });

  it("ReplacementSampler draws with replacement: repeats happen, every index is in range, numSamples is honoured", () => {
    const s = new ReplacementSampler(10, { rng: new Rng(3), numSamples: 200 });
    const order = s.order();
    expect(order.length).toBe(200);
    expect(order.every((i) => i >= 0 && i < 10)).toBe(true);
    expect(new Set(order).size).toBeLessThan(200);
    const counts = new Array(10).fill(0);
    for (let k = 0; k < 100; k++) for (const i of s.order()) counts[i]++;
    for (const c of counts) expect(Math.abs(c - 2000)).toBeLessThan(200);
  });

  it("BatchSampler groups an epoch into batches, keeping or dropping the last", () => {
    const keep = new BatchSampler(new SequentialSampler(10), 4);
    expect([...keep].map((b) => Array.from(b))).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    expect(keep.length).toBe(3);
    const drop = new BatchSampler(new SequentialSampler(10), 4, true);
    expect([...drop].map((b) => Array.from(b))).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
    expect(drop.length).toBe(2);
    const shuffled = new BatchSampler(new RandomSampler(10, { rng: new Rng(4) }), 3);
    expect(sorted([...shuffled].flatMap((b) => Array.from(b)))).toEqual(range(10));
  });

  it("bad arguments are named", () => {
    expect(() => new RandomSampler(10, {} as never)).toThrow(/an rng is required/);
    expect(() => new BatchSampler(new SequentialSampler(3), 0)).toThrow(/batchSize must be a positive integer, got 0/);
    expect(() => new SequentialSampler(-1)).toThrow(/non-negative integer, got -1/);
  });
});
