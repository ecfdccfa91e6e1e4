import { Rng, type Tensor, tensor } from "@slope/core";
import { describe, expect, it } from "vitest";
import { RandomSearch, randomLocalSearch } from "./random-search.js";

const target = tensor([0.5, -0.25, 0.1], { dtype: "float64" });
const distance = (W: Tensor) => Array.from(W.data).reduce((s, v, i) => s + (v - target.data[i]!) ** 2, 0);

describe("derivative-free baselines", () => {
  it("RandomSearch keeps the best of its attempts, reports each one, and is deterministic under a seed", () => {
    const seen: number[] = [];
    const result = new RandomSearch({ shape: [3], rng: new Rng(1), scale: 0.5, dtype: "float64" }).run(distance, {
      iterations: 200,
      onProgress: (p) => seen.push(p.bestLoss),
    });
    expect(result.losses).toHaveLength(200);
    expect(result.bestLoss).toBe(Math.min(...result.losses));
    expect(distance(result.best)).toBe(result.bestLoss);
    expect(seen).toEqual([...seen].sort((a, b) => b - a)); // the best only improves
    const again = new RandomSearch({ shape: [3], rng: new Rng(1), scale: 0.5, dtype: "float64" }).run(distance, {
      iterations: 200,
    });
    expect(again.bestLoss).toBe(result.bestLoss);
  });

  it("random local search does better than random search for the same number of evaluations", () => {
    const start = tensor([0, 0, 0], { dtype: "float64" });
    const local = randomLocalSearch(distance, start, { rng: new Rng(2), stepSize: 0.05, iterations: 300 });
    const global = new RandomSearch({ shape: [3], rng: new Rng(2), scale: 0.5, dtype: "float64" }).run(distance, {
      iterations: 300,
    });
    expect(local.bestLoss).toBeLessThan(global.bestLoss);
    expect(local.bestLoss).toBeLessThan(0.01);
    expect(Array.from(start.data)).toEqual([0, 0, 0]);
  });

  it("rejects a missing rng and bad arguments", () => {
    expect(() => new RandomSearch({ shape: [2] } as never)).toThrow(/an rng is required/);
    expect(() => new RandomSearch({ shape: [2], rng: new Rng(0), scale: 0 })).toThrow(/scale must be > 0/);
    expect(() => new RandomSearch({ shape: [2], rng: new Rng(0) }).run(distance, { iterations: 0 })).toThrow(
      /iterations must be a positive integer/,
    );
  });
});
