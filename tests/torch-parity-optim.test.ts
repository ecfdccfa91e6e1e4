// Every optimizer of @slope/optim, with every option PyTorch can express, against PyTorch 1.13's torch.optim over
// 30-step trajectories in float64, relative error below 1e-10 (tests/fixtures/torch/optim.json, made by
// scripts/fixtures/torch_optim_fixtures.py). Rules PyTorch 1.13 lacks are checked against a direct float64
// implementation of the published algorithm in the same script: Lion (Chen et al. 2023, Algorithm 2) and
// TensorFlow.js's RMSProp and AdaGrad (ε inside the square root). L-BFGS runs PyTorch's strong Wolfe line search
// on the Rosenbrock chain. Then: resuming any of them from stateDict() (through JSON) mid-trajectory gives the
// uninterrupted run's bits.
import { type Tensor, fromData } from "@slope/core";
import * as optim from "@slope/optim";
import type { Optimizer, Parameter } from "@slope/optim";
import { describe, expect, it } from "vitest";
import { loadFixture } from "./fixtures/torch/parity.js";

const RTOL = 1e-10;

interface Problem {
  shapes: number[][];
  x0: number[];
  a: number[];
  c: number[];
  b: number;
  noise: number[][];
  steps: number;
  rosenbrockX0: number[];
  rosenbrockK: number;
}
interface Case {
  name: string;
  optimizer: string;
  options: Record<string, unknown>;
  gradSign: number;
  reference: string;
  trajectory: number[][];
  state?: { ax?: number[] };
}
interface LBFGSCase {
  name: string;
  options: Record<string, unknown>;
  trajectory: number[][];
  losses: number[];
  funcEvals: number;
  nIter: number;
}

const { problem, cases, lbfgs } = loadFixture<{ problem: Problem; cases: Case[]; lbfgs: LBFGSCase[] }>("optim.json");

type Make = (params: Parameter[], options: Record<string, unknown>) => Optimizer;
const classes: Record<string, Make> = Object.fromEntries(
  [
    "SGD",
    "Momentum",
    "Nesterov",
    "AdaGrad",
    "RMSProp",
    "Adam",
    "AdamW",
    "Adadelta",
    "Adamax",
    "NAdam",
    "RAdam",
    "Rprop",
    "ASGD",
    "Lion",
    "LBFGS",
  ].map((name) => {
    type Constructor = new (p: Parameter[], o: Record<string, unknown>) => Optimizer;
    const Class = (optim as unknown as Record<string, Constructor>)[name]!;
    return [name, (p: Parameter[], o: Record<string, unknown>) => new Class(p, o)];
  }),
);

function makeParams(x0: readonly number[]): Parameter[] {
  let offset = 0;
  return problem.shapes.map((shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const value: Tensor = fromData(Float64Array.from(x0.slice(offset, offset + n)), shape);
    offset += n;
    return { value, grad: null };
  });
}

const flat = (params: Parameter[]) => params.flatMap((p) => Array.from(p.value.data));

/** Writes each parameter's gradient from the flat vector g. */
function setGrads(params: Parameter[], g: number[]): void {
  let offset = 0;
  for (const p of params) {
    p.grad = fromData(Float64Array.from(g.slice(offset, offset + p.value.size)), p.value.shape);
    offset += p.value.size;
  }
}

/** The fixture's gradient at step t: sign·(a·(x − c) + b·x·x·x + noise[t]), in the script's order of operations. */
function gradient(x: number[], t: number, sign: number): number[] {
  const { a, c, b, noise } = problem;
  return x.map((xi, i) => sign * (a[i]! * (xi - c[i]!) + b * xi * xi * xi + noise[t]![i]!));
}

/** The Rosenbrock chain's loss, writing its gradient, as the script computes it. */
function rosenbrockClosure(params: Parameter[]): () => number {
  return () => {
    const z = flat(params),
      k = problem.rosenbrockK;
    let f = 0;
    const g = new Array<number>(z.length).fill(0);
    for (let i = 0; i < z.length - 1; i++) {
      const u = z[i + 1]! - z[i]! * z[i]!;
      const v = 1 - z[i]!;
      f += k * u * u + v * v;
      g[i]! += -4 * k * z[i]! * u - 2 * v;
      g[i + 1]! += 2 * k * u;
    }
    setGrads(params, g);
    return f;
  };
}

/**
 * Expects each step's parameters within 1e-10 of the reference relative to that step's largest |value| (the
 * norm-wise relative error: an element near 0 carries the rounding of the large ones, and PyTorch's BLAS dot
 * products and fused multiply-adds round differently from a plain loop). Reports the first step that differs.
 */
function expectTrajectoryClose(got: number[][], want: number[][], label: string): void {
  expect(got.length, `${label}: steps`).toBe(want.length);
  let worst = 0;
  for (let t = 0; t < want.length; t++) {
    const scale = Math.max(...want[t]!.map(Math.abs), 1e-300);
    for (let i = 0; i < want[t]!.length; i++) {
      const e = want[t]![i]!,
        a = got[t]![i]!;
      const error = Math.abs(a - e) / scale;
      worst = Math.max(worst, error);
      if (!(error <= RTOL)) {
        expect.fail(`${label}: step ${t + 1}, element ${i}: Slope ${a}, reference ${e} (relative error ${error})`);
      }
    }
  }
  expect(worst).toBeLessThanOrEqual(RTOL);
}

/** Runs steps [from, to) of a first-order case, returning the parameters after each. */
function drive(c: Case, params: Parameter[], optimizer: Optimizer, from: number, to: number): number[][] {
  const out: number[][] = [];
  for (let t = from; t < to; t++) {
    setGrads(params, gradient(flat(params), t, c.gradSign));
    optimizer.step();
    out.push(flat(params));
  }
  return out;
}

describe("each optimizer and option follows PyTorch's (or the published rule's) 30-step trajectory at 1e-10", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    const params = makeParams(problem.x0);
    const optimizer = classes[c.optimizer]!(params, c.options);
    expectTrajectoryClose(drive(c, params, optimizer, 0, problem.steps), c.trajectory, `${c.name} (${c.reference})`);
    if (c.state?.ax) {
      const average = params.flatMap((p) => Array.from((optimizer as optim.ASGD).average(p)!));
      expectTrajectoryClose([average], [c.state.ax], `${c.name}: the average x̄`);
    }
  });

  const lbfgsCases = lbfgs.map((c) => [c.name, c] as const);
  it.each(lbfgsCases)("L-BFGS %s: PyTorch's iterates, losses and evaluation counts", (_, c) => {
    const params = makeParams(problem.rosenbrockX0);
    const optimizer = new optim.LBFGS(params, c.options);
    const closure = rosenbrockClosure(params);
    const losses: number[] = [];
    const trajectory = c.trajectory.map(() => {
      losses.push(optimizer.step(closure));
      return flat(params);
    });
    expectTrajectoryClose(trajectory, c.trajectory, `L-BFGS ${c.name}`);
    expectTrajectoryClose([losses], [c.losses], `L-BFGS ${c.name}: losses`);
    const extra = optimizer.stateDict().extra as { funcEvals: number; nIter: number };
    expect([extra.funcEvals, extra.nIter]).toEqual([c.funcEvals, c.nIter]);
  });
});

/** Two runs agree bit for bit (Object.is per element, so −0 and NaN count), reporting the first difference. */
function expectSameBits(got: number[][], want: number[][], label: string): void {
  for (let t = 0; t < want.length; t++) {
    for (let i = 0; i < want[t]!.length; i++) {
      if (!Object.is(got[t]![i], want[t]![i])) {
        expect.fail(`${label}: step ${t + 1}, element ${i}: resumed ${got[t]![i]}, uninterrupted ${want[t]![i]}`);
      }
    }
  }
}

describe("resuming from stateDict() through JSON mid-trajectory equals the uninterrupted run, bit for bit", () => {
  it("every optimizer and option of the fixture, saved after step 13 and loaded into a fresh optimizer", () => {
    const split = 13;
    for (const c of cases) {
      const straightParams = makeParams(problem.x0);
      const straight = drive(c, straightParams, classes[c.optimizer]!(straightParams, c.options), 0, problem.steps);
      const firstParams = makeParams(problem.x0);
      const first = classes[c.optimizer]!(firstParams, c.options);
      drive(c, firstParams, first, 0, split);
      const saved = JSON.stringify(first.stateDict());
      const resumedParams = makeParams(flat(firstParams));
      const resumed = classes[c.optimizer]!(resumedParams, c.options);
      resumed.loadStateDict(JSON.parse(saved));
      expectSameBits(drive(c, resumedParams, resumed, split, problem.steps), straight.slice(split), c.name);
    }
    for (const c of lbfgs) {
      const run = (params: Parameter[], optimizer: optim.LBFGS, steps: number) => {
        const closure = rosenbrockClosure(params);
        return Array.from({ length: steps }, () => [optimizer.step(closure), ...flat(params)]);
      };
      const straightParams = makeParams(problem.rosenbrockX0);
      const straight = run(straightParams, new optim.LBFGS(straightParams, c.options), 25);
      const firstParams = makeParams(problem.rosenbrockX0);
      const first = new optim.LBFGS(firstParams, c.options);
      run(firstParams, first, split);
      const saved = JSON.stringify(first.stateDict());
      const resumedParams = makeParams(flat(firstParams));
      const resumed = new optim.LBFGS(resumedParams, c.options);
      resumed.loadStateDict(JSON.parse(saved));
      expectSameBits(run(resumedParams, resumed, 25 - split), straight.slice(split), `L-BFGS ${c.name}`);
    }
  });
});
