import { Rng, type Tensor, zeros } from "@slope/core";
import { param } from "@slope/autograd";
import { describe, expect, it } from "vitest";
import * as nn from "../index.js";
import {
  calculateFanInAndFanOut,
  calculateGain,
  constant,
  kaimingNormal,
  kaimingUniform,
  normal,
  ones,
  uniform,
  xavierNormal,
  xavierUniform,
  zeros as zerosInit,
} from "./index.js";

function stats(t: Tensor): { mean: number; std: number; min: number; max: number } {
  let sum = 0,
    min = Infinity,
    max = -Infinity;
  for (let i = 0; i < t.size; i++) {
    const v = t.data[i]!;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / t.size;
  let squares = 0;
  for (let i = 0; i < t.size; i++) squares += (t.data[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(squares / t.size), min, max };
}

describe("calculateGain and fans", () => {
  it("gives PyTorch's gains", () => {
    expect(calculateGain("linear")).toBe(1);
    expect(calculateGain("conv2d")).toBe(1);
    expect(calculateGain("sigmoid")).toBe(1);
    expect(calculateGain("tanh")).toBeCloseTo(5 / 3, 15);
    expect(calculateGain("relu")).toBeCloseTo(Math.SQRT2, 15);
    expect(calculateGain("leaky_relu")).toBeCloseTo(Math.sqrt(2 / (1 + 0.01 ** 2)), 15);
    expect(calculateGain("leaky_relu", Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 15);
    expect(calculateGain("selu")).toBe(0.75);
    expect(() => calculateGain("swish" as never)).toThrow(/unsupported nonlinearity swish/);
  });

  it("takes fanIn = size(1)·receptive field and fanOut = size(0)·receptive field", () => {
    expect(calculateFanInAndFanOut([5, 3])).toEqual({ fanIn: 3, fanOut: 5 });
    expect(calculateFanInAndFanOut([16, 3, 3, 5])).toEqual({ fanIn: 45, fanOut: 240 });
    expect(() => calculateFanInAndFanOut([7])).toThrow(/at least 2 dimensions, got shape \[7\]/);
  });
});

describe("initializers", () => {
  it("fill in place and return what they were given, Var or Tensor", () => {
    const t = zeros([3, 4]);
    expect(constant(t, 2.5)).toBe(t);
    expect(t.data.every((v) => v === 2.5)).toBe(true);
    const v = param(zeros([2, 2]));
    expect(ones(v)).toBe(v);
    expect(v.value.data.every((x) => x === 1)).toBe(true);
    zerosInit(v);
    expect(v.value.data.every((x) => x === 0)).toBe(true);
  });

  it("uniform stays within [low, high) with mean and std of U(low, high)", () => {
    const t = uniform(zeros([200, 100], { dtype: "float64" }), { low: -2, high: 3, rng: new Rng(1) });
    const s = stats(t);
    expect(s.min).toBeGreaterThanOrEqual(-2);
    expect(s.max).toBeLessThan(3);
    expect(Math.abs(s.mean - 0.5)).toBeLessThan(0.03);
    expect(Math.abs(s.std - 5 / Math.sqrt(12)) / (5 / Math.sqrt(12))).toBeLessThan(0.02);
  });

  it("normal has the asked mean and std", () => {
    const s = stats(normal(zeros([200, 100], { dtype: "float64" }), { mean: 1, std: 0.5, rng: new Rng(2) }));
    expect(Math.abs(s.mean - 1)).toBeLessThan(0.01);
    expect(Math.abs(s.std - 0.5) / 0.5).toBeLessThan(0.02);
  });

  it("xavierUniform is bounded by gain·√(6/(fanIn+fanOut)) and xavierNormal has std gain·√(2/(fanIn+fanOut))", () => {
    const shape = [100, 50, 3, 3]; // fanIn 450, fanOut 900
    const bound = 2 * Math.sqrt(6 / 1350);
    const u = stats(xavierUniform(zeros(shape, { dtype: "float64" }), { gain: 2, rng: new Rng(3) }));
    expect(u.max).toBeLessThanOrEqual(bound);
    expect(u.min).toBeGreaterThanOrEqual(-bound);
    expect(u.max).toBeGreaterThan(0.99 * bound);
    expect(Math.abs(u.std - bound / Math.sqrt(3)) / (bound / Math.sqrt(3))).toBeLessThan(0.02);
    const n = stats(xavierNormal(zeros(shape, { dtype: "float64" }), { rng: new Rng(4) }));
    expect(Math.abs(n.std - Math.sqrt(2 / 1350)) / Math.sqrt(2 / 1350)).toBeLessThan(0.02);
    expect(Math.abs(n.mean)).toBeLessThan(0.003);
  });

  it("kaimingUniform with a = √5 is U(±1/√fanIn), kaiming's defaults give bound √(6/fanIn)/√(1+0.01²)", () => {
    const shape = [64, 20, 3, 3]; // fanIn 180, fanOut 576
    const a5 = stats(kaimingUniform(zeros(shape, { dtype: "float64" }), { a: Math.sqrt(5), rng: new Rng(5) }));
    const b5 = 1 / Math.sqrt(180);
    expect(a5.max).toBeLessThanOrEqual(b5);
    expect(a5.min).toBeGreaterThanOrEqual(-b5);
    expect(a5.max).toBeGreaterThan(0.99 * b5);
    const d = stats(kaimingUniform(zeros(shape, { dtype: "float64" }), { rng: new Rng(6) }));
    const bd = Math.sqrt(2 / (1 + 1e-4)) * Math.sqrt(3 / 180);
    expect(d.max).toBeLessThanOrEqual(bd);
    expect(d.max).toBeGreaterThan(0.99 * bd);
    const out = stats(
      kaimingUniform(zeros(shape, { dtype: "float64" }), { mode: "fanOut", nonlinearity: "relu", rng: new Rng(7) }),
    );
    expect(out.max).toBeLessThanOrEqual(Math.SQRT2 * Math.sqrt(3 / 576));
    expect(out.max).toBeGreaterThan(0.99 * Math.SQRT2 * Math.sqrt(3 / 576));
  });

  it("kaimingNormal has std gain/√fan", () => {
    const s = stats(kaimingNormal(zeros([256, 128], { dtype: "float64" }), { nonlinearity: "relu", rng: new Rng(8) }));
    const std = Math.SQRT2 / Math.sqrt(128);
    expect(Math.abs(s.std - std) / std).toBeLessThan(0.02);
    expect(() => kaimingNormal(zeros([3]), { rng: new Rng(9) })).toThrow(/at least 2 dimensions/);
    expect(() => kaimingNormal(zeros([3, 3]), { mode: "fan_in" as never })).toThrow(/mode must be "fanIn" or "fanOut"/);
  });

  it("the same rng seed gives the same bits, and the default generator follows manualSeed", () => {
    const a = uniform(zeros([50]), { rng: new Rng(10) });
    const b = uniform(zeros([50]), { rng: new Rng(10) });
    for (let i = 0; i < 50; i++) expect(a.data[i]).toBe(b.data[i]);
    nn.manualSeed(42);
    const c = normal(zeros([50]));
    nn.manualSeed(42);
    const d = normal(zeros([50]));
    for (let i = 0; i < 50; i++) expect(c.data[i]).toBe(d.data[i]);
  });

  it("is exported both as the init namespace and by name", () => {
    expect(nn.init.kaimingUniform).toBe(kaimingUniform);
    expect(nn.xavierNormal).toBe(xavierNormal);
  });
});
