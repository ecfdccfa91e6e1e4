import { ValueError, tensor } from "@slope/core";
import { describe, expect, it } from "vitest";
import { clipGradNorm, clipGradValue } from "../clipping.js";
import type { Parameter } from "../optimizer.js";
import { Adam, LBFGS, Momentum, SGD } from "../index.js";
import { quadraticBowl, rosenbrock, surfaces, twoMinima } from "./surfaces.js";
import { runTrajectory } from "./trajectory.js";

describe("loss surfaces", () => {
  it.each(Object.values(surfaces))("$name: the analytic gradient passes a central-difference check", (s) => {
    const h = 1e-6;
    for (const [x, y] of [s.start, [0.3, -0.7], [1.1, 0.4]] as [number, number][]) {
      const [gx, gy] = s.gradient(x, y);
      const nx = (s.f(x + h, y) - s.f(x - h, y)) / (2 * h);
      const ny = (s.f(x, y + h) - s.f(x, y - h)) / (2 * h);
      const scale = Math.max(Math.abs(gx) + Math.abs(nx) + Math.abs(gy) + Math.abs(ny), 1e-12);
      expect(Math.max(Math.abs(gx - nx), Math.abs(gy - ny)) / scale).toBeLessThan(1e-7);
    }
  });

  it.each(Object.values(surfaces).filter((s) => s.minima.length > 0))(
    "$name: the gradient vanishes at every listed minimum",
    (s) => {
      for (const [x, y] of s.minima) for (const g of s.gradient(x, y)) expect(Math.abs(g)).toBeLessThan(1e-4);
    },
  );

  it("the two-minima surface has its global minimum on the left", () => {
    const [[gx, gy], [lx, ly]] = twoMinima.minima as [[number, number], [number, number]];
    expect(gx).toBeLessThan(0);
    expect(twoMinima.f(gx, gy)).toBeLessThan(twoMinima.f(lx, ly));
  });

  it("on the taco-shell bowl momentum reaches the minimum in fewer steps than SGD at the same lr, and overshoots on the way", () => {
    const stepsToMinimum = (points: { loss: number }[]) => points.findIndex((p) => p.loss < 1e-4);
    const sgd = runTrajectory(quadraticBowl, (p) => new SGD(p, { lr: 0.1 }), { steps: 1000 });
    const momentum = runTrajectory(quadraticBowl, (p) => new Momentum(p, { lr: 0.1, momentum: 0.9 }), { steps: 1000 });
    const sgdSteps = stepsToMinimum(sgd),
      momentumSteps = stepsToMinimum(momentum);
    expect(momentumSteps).toBeGreaterThan(0);
    expect(sgdSteps).toBeGreaterThan(2 * momentumSteps);
    // It starts at x = −8 and, carried by its velocity, passes the minimum (x > 0) before settling.
    expect(Math.max(...momentum.map((p) => p.x))).toBeGreaterThan(0.5);
    expect(Math.max(...sgd.map((p) => p.x))).toBeLessThanOrEqual(0);
  });

  it("a trajectory starts from a point of two finite numbers, given or the surface's own, and nothing else", () => {
    const sgd = (p: Parameter[]) => new SGD(p, { lr: 0.1 });
    for (const start of [[1], [1, 2, 3], [1, NaN], [1, "2"], null]) {
      expect(() => runTrajectory(quadraticBowl, sgd, { steps: 1, start: start as never })).toThrow(
        new ValueError(
          `runTrajectory: start must be a point [x, y] of two finite numbers, got ${JSON.stringify(start)}`,
        ),
      );
    }
    const [first] = runTrajectory(quadraticBowl, sgd, { steps: 1, start: [1, 2] });
    expect(first).toEqual({ x: 1, y: 2, loss: quadraticBowl.f(1, 2) });
    expect(runTrajectory(quadraticBowl, sgd, { steps: 0 })[0]?.x).toBe(quadraticBowl.start[0]);
  });

  it("L-BFGS reaches Rosenbrock's minimum in far fewer steps than Adam", () => {
    const lbfgs = runTrajectory(rosenbrock, (p) => new LBFGS(p, { maxIterations: 1 }), { steps: 100 });
    const adam = runTrajectory(rosenbrock, (p) => new Adam(p, { lr: 0.02 }), { steps: 100 });
    const last = (points: { x: number; y: number }[]) => Math.hypot(points.at(-1)!.x - 1, points.at(-1)!.y - 1);
    expect(last(lbfgs)).toBeLessThan(1e-6);
    expect(last(adam)).toBeGreaterThan(1e-3);
  });

  it("gradient clipping by value and by global norm", () => {
    const a: Parameter = { value: tensor([0, 0]), grad: tensor([3, -4]) };
    const b: Parameter = { value: tensor([0]), grad: tensor([12]) };
    expect(clipGradNorm([a, b], 6.5)).toBe(13);
    // PyTorch's coefficient maxNorm / (total + 1e-6): 1.5 and −2 within float32's rounding of that 1e-6
    [1.5, -2, 6].forEach((v, i) => {
      expect([...a.grad!.data, ...b.grad!.data][i]).toBeCloseTo(v, 6);
    });
    clipGradValue([a, b], 1.75);
    expect(Array.from(a.grad!.data)).toEqual([Math.fround(3 * (6.5 / (13 + 1e-6))), -1.75]);
    expect(Array.from(b.grad!.data)).toEqual([1.75]);
  });
});
