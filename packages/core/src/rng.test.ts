import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ValueError } from "./errors.js";
import { Rng } from "./rng.js";

describe("Rng", () => {
  it("gives the same numbers for the same seed, string or number, and different ones otherwise", () => {
    const draw = (seed: string | number) => {
      const r = new Rng(seed);
      return [r.uniform(), r.normal(), r.int(100)];
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw("7")).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it("is the same stream on every machine (seedrandom ARC4 reference values)", () => {
    // seedrandom("hello.")() is documented as 0.9282578795792454.
    expect(new Rng("hello.").uniform()).toBe(0.9282578795792454);
  });

  it("state() and fromState() continue the stream exactly, through JSON, including a pending normal", () => {
    const r = new Rng(3);
    r.normal(); // leaves the Box–Muller twin pending
    const saved = JSON.parse(JSON.stringify(r.state()));
    const expected = [r.normal(), r.uniform(), r.normal(), r.int(10)];
    const restored = Rng.fromState(saved);
    expect([restored.normal(), restored.uniform(), restored.normal(), restored.int(10)]).toEqual(expected);
  });

  it("permutation(n) holds each index once and shuffle keeps the elements", () => {
    const p = new Rng(5).permutation(1000);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect([...p]).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
    const arr = ["a", "b", "c", "d"];
    new Rng(1).shuffle(arr);
    expect([...arr].sort()).toEqual(["a", "b", "c", "d"]);
  });

  it("int(n) is uniform on [0, n) and normal() has mean 0 and variance 1", () => {
    const r = new Rng(11);
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 50000; i++) counts[r.int(5)]++;
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(400);
    let s = 0,
      s2 = 0;
    for (let i = 0; i < 50000; i++) {
      const x = r.normal();
      s += x;
      s2 += x * x;
    }
    expect(Math.abs(s / 50000)).toBeLessThan(0.02);
    expect(Math.abs(s2 / 50000 - 1)).toBeLessThan(0.03);
  });

  it("rejects bad seeds and arguments with a message", () => {
    expect(() => new Rng(NaN)).toThrow(/seed must be a string or a finite number/);
    expect(() => new Rng(1).int(0)).toThrow(/positive integer, got 0/);
    expect(() => Rng.fromState({} as never)).toThrow(/rng.state\(\)/);
  });

  it("fromState refuses any state that is not an ARC4 permutation state (never a generator that hangs or repeats)", () => {
    const good = new Rng(3).state();
    const bad = (change: (s: ReturnType<Rng["state"]>) => void) => {
      const s = JSON.parse(JSON.stringify(good)) as ReturnType<Rng["state"]>;
      change(s);
      return () => Rng.fromState(s);
    };
    expect(bad((s) => (s.arc4.S = new Array(256).fill(0)))).toThrow(ValueError); // uniform() looped forever
    expect(bad((s) => (s.arc4.S[5] = s.arc4.S[6]!))).toThrow(/repeats/);
    expect(bad((s) => (s.arc4.S[0] = 256))).toThrow(/arc4.S\[0\]/);
    expect(bad((s) => (s.arc4.S[0] = 1.5))).toThrow(ValueError);
    expect(bad((s) => (s.arc4.S = s.arc4.S.slice(1)))).toThrow(/256/);
    expect(bad((s) => (s.arc4.i = -1))).toThrow(/arc4.i/);
    expect(bad((s) => (s.arc4.j = NaN))).toThrow(/arc4.j/);
    expect(bad((s) => (s.spareNormal = NaN))).toThrow(/spareNormal/);
    expect(() => Rng.fromState(null as never)).toThrow(ValueError);
    // Property: every permutation table and pair of indices is accepted and gives a true permutation.
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), (seed, i, j) => {
        const S = new Rng(seed).permutation(256);
        const r = Rng.fromState({ arc4: { i, j, S: [...S] }, spareNormal: null });
        const p = r.permutation(50);
        return new Set(p).size === 50;
      }),
      { numRuns: 50 },
    );
  });
});
