// @slope/optim's schedules, Scheduler, ReduceLROnPlateau and clipGradNorm against PyTorch 1.13
// (tests/fixtures/torch/schedules.json, made by scripts/fixtures/torch_schedule_fixtures.py): every schedule for
// ≥ 100 steps, one and two parameter groups, and resuming from a saved state mid-run to the bit.
import { ValueError, tensor } from "@slope/core";
import {
  type Optimizer,
  type Parameter,
  Momentum,
  ReduceLROnPlateau,
  SGD,
  type Schedule,
  Scheduler,
  clipGradNorm,
  cosineDecay,
  cosineWarmRestarts,
  cyclic,
  multiStepDecay,
  oneCycle,
  polynomialDecay,
  stepDecay,
} from "@slope/optim";
import { describe, expect, it } from "vitest";
import { type JsonTensor, loadFixture, toNumber } from "./fixtures/torch/parity.js";

/**
 * Slope's schedules are closed forms, compared with PyTorch's closed form (`_get_closed_form_lr`, or the run itself
 * for the schedulers that compute from last_epoch directly: CyclicLR, OneCycleLR, CosineAnnealingWarmRestarts) at
 * 1e-12 relative; they differ only where V8's Math.cos/Math.pow and C's libm round differently (largest measured:
 * 6.3e-16). PyTorch's chained run of MultiStepLR, StepLR and PolynomialLR multiplies step by step and drifts from
 * its own closed form; it is compared at the same 1e-12 (largest measured: 8.4e-16).
 */
const RTOL = 1e-12;
const CHAINED_RTOL = 1e-12;

interface ScheduleCase {
  name: string;
  schedule: string;
  options: Record<string, unknown>;
  groupOptions?: Record<string, unknown>[];
  baseLrs: number[];
  steps: number;
  lrs: number[][];
  closedForm: number[][] | null;
  momentum?: number[][];
}

interface PlateauCase {
  name: string;
  options: Record<string, unknown>;
  baseLrs: number[];
  metrics: (number | string)[];
  lrs: number[][];
  best: (number | string)[];
  numBadEpochs: number[];
  cooldownCounter: number[];
}

interface ClipCase {
  name: string;
  maxNorm: number;
  normType: number | string;
  errorIfNonfinite: boolean;
  grads: (JsonTensor | null)[];
  total?: number | string;
  clipped?: (JsonTensor | null)[];
  error?: true;
}

const fixture = loadFixture<{ schedules: ScheduleCase[]; plateau: PlateauCase[]; clipGradNorm: ClipCase[] }>(
  "schedules.json",
);

const factories: Record<string, (options: never) => Schedule> = {
  multiStepDecay,
  polynomialDecay,
  cyclic,
  oneCycle,
  cosineWarmRestarts,
  stepDecay,
  cosineDecay,
};

function makeSchedule(name: string, options: Record<string, unknown>): Schedule {
  const factory = factories[name];
  if (!factory) throw new Error(`no schedule ${name}`);
  return factory(options as never);
}

/** |a − e| ≤ rtol·|e| for every step; reports the first step that differs; returns the largest relative error. */
function expectSequence(actual: readonly number[], expected: readonly number[], rtol: number, label: string): number {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  let worst = 0;
  for (let t = 0; t < expected.length; t++) {
    const e = expected[t]!;
    const a = actual[t]!;
    const same = Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e));
    const rel = same ? 0 : e === 0 ? Infinity : Math.abs(a - e) / Math.abs(e);
    if (!(rel <= rtol)) expect.fail(`${label}: at t = ${t} Slope gives ${a}, PyTorch ${e} (relative error ${rel})`);
    worst = Math.max(worst, rel);
  }
  return worst;
}

/** A float64 parameter per group and an SGD over them, group g at lr baseLrs[g] (or `make` for another optimizer). */
type Groups = { params: Parameter[]; lr: number }[];
function groupsOf(baseLrs: readonly number[], make: (groups: Groups) => Optimizer = (groups) => new SGD(groups)) {
  const params = baseLrs.map((_, g): Parameter => ({ value: tensor([1 + g], { dtype: "float64" }), grad: null }));
  return { params, optimizer: make(params.map((p, g) => ({ params: [p], lr: baseLrs[g]! }))) };
}

/** A Scheduler over the case's groups: one schedule, or one per group. */
function schedulerFor(c: ScheduleCase, optimizer: Optimizer): Scheduler {
  const schedule = c.groupOptions
    ? c.groupOptions.map((o) => makeSchedule(c.schedule, o))
    : makeSchedule(c.schedule, c.options);
  return new Scheduler(optimizer, schedule);
}

const lrsOf = (optimizer: Optimizer): number[] => optimizer.paramGroups.map((g) => g.options.lr as number);
const reference = (c: ScheduleCase): number[][] => c.closedForm ?? c.lrs;
/**
 * Slope's optimizers take lr > 0 only; PyTorch's schedules that reach lr ≤ 0 cannot drive them: PolynomialLR at
 * total_iters (0), OneCycleLR linear at t = total_steps (one step past the end: below lrEnd, here negative).
 */
const reachesZero = (c: ScheduleCase): boolean => reference(c).some((lrs) => lrs.some((v) => v <= 0));

describe("schedules against PyTorch's learning rates (closed forms, ≥ 100 steps)", () => {
  const single = fixture.schedules.filter((c) => !c.groupOptions && c.baseLrs.length === 1);
  it.each(single.map((c) => [c.name, c] as const))("%s: schedule(t) is PyTorch's lr at every t to 1e-12", (_, c) => {
    expect(c.steps).toBeGreaterThanOrEqual(100);
    const s = makeSchedule(c.schedule, c.options);
    const slope = Array.from({ length: c.steps }, (_, t) => s(t));
    const expected = reference(c)[0]!;
    // cosineDecay stops at lrMin after `steps`; PyTorch's CosineAnnealingLR rises again: the fixture ends at steps.
    expectSequence(slope, expected, RTOL, c.name);
    if (c.closedForm) expectSequence(slope, c.lrs[0]!, CHAINED_RTOL, `${c.name} (PyTorch's chained run)`);
  });

  it("the largest relative error against PyTorch over every case is below 1e-12 (closed forms and chained runs)", () => {
    let closed = 0;
    let chained = 0;
    for (const c of fixture.schedules.filter((c) => !c.groupOptions && c.baseLrs.length === 1)) {
      const s = makeSchedule(c.schedule, c.options);
      const slope = Array.from({ length: c.steps }, (_, t) => s(t));
      closed = Math.max(closed, expectSequence(slope, reference(c)[0]!, RTOL, c.name));
      chained = Math.max(chained, expectSequence(slope, c.lrs[0]!, CHAINED_RTOL, c.name));
    }
    expect(closed).toBeLessThan(1e-15);
    expect(chained).toBeLessThan(CHAINED_RTOL);
  });

  it("torch 1.13 has PolynomialLR: polynomialDecay with lrEnd 0 is its closed form; lrEnd ≠ 0 follows TensorFlow", () => {
    const poly = fixture.schedules.filter((c) => c.schedule === "polynomialDecay");
    expect(poly.filter((c) => c.closedForm).length).toBeGreaterThanOrEqual(3);
    expect(poly.some((c) => c.options.lrEnd !== undefined && c.options.lrEnd !== 0)).toBe(true);
  });
});

describe("Scheduler over PyTorch's parameter groups", () => {
  const cases = fixture.schedules.filter((c) => !reachesZero(c));

  it.each(cases.map((c) => [c.name, c] as const))("%s: every group's lr is PyTorch's at every step", (_, c) => {
    const { params, optimizer } = groupsOf(c.baseLrs);
    const scheduler = schedulerFor(c, optimizer);
    const seen: number[][] = c.baseLrs.map(() => []);
    for (let t = 0; t < c.steps; t++) {
      if (t > 0) {
        for (const p of params) p.grad = tensor([0.5], { dtype: "float64" });
        optimizer.step();
        scheduler.step();
      }
      lrsOf(optimizer).forEach((lr, g) => {
        seen[g]!.push(lr);
      });
    }
    c.baseLrs.forEach((_, g) => {
      expectSequence(seen[g]!, reference(c)[g]!, RTOL, `${c.name}, group ${g}`);
    });
  });

  it("two groups with base lrs 0.1 and 0.004 keep their own: the second gets 0.04 of the first at every step", () => {
    const c = fixture.schedules.find(
      (c) => c.baseLrs.length === 2 && !c.groupOptions && c.schedule === "multiStepDecay",
    );
    if (!c) return expect.fail("the fixture has no two-group multiStepDecay case");
    const { optimizer } = groupsOf(c.baseLrs);
    const scheduler = new Scheduler(optimizer, makeSchedule(c.schedule, c.options));
    expect(scheduler.bases).toEqual([0.1, 0.004]);
    for (let t = 1; t < c.steps; t++) {
      scheduler.step();
      const [a, b] = lrsOf(optimizer);
      expect(Math.abs(b! / a! - 0.04)).toBeLessThan(1e-15);
    }
  });

  it('cyclic momentum: a second Scheduler on "momentum" with lrMin/lrMax swapped is PyTorch\'s cycle_momentum', () => {
    const c = fixture.schedules.find((c) => c.momentum)!;
    const { params, optimizer } = groupsOf(c.baseLrs, (groups) => new Momentum(groups, { momentum: 0.9 }));
    const lr = schedulerFor(c, optimizer);
    const momentum = new Scheduler(optimizer, cyclic({ ...c.options, lrMin: 0.9, lrMax: 0.8 } as never), "momentum");
    const seen: number[] = [];
    const seenLr: number[] = [];
    for (let t = 0; t < c.steps; t++) {
      if (t > 0) {
        params[0]!.grad = tensor([0.5], { dtype: "float64" });
        optimizer.step();
        lr.step();
        momentum.step();
      }
      seen.push(optimizer.paramGroups[0]!.options.momentum as number);
      seenLr.push(optimizer.lr);
    }
    expectSequence(seen, c.momentum![0]!, RTOL, "momentum");
    expectSequence(seenLr, c.lrs[0]!, RTOL, "lr");
  });
});

describe("resuming a Scheduler from its stateDict mid-run equals the uninterrupted run to the bit", () => {
  const cases = fixture.schedules.filter((c) => !reachesZero(c));

  /** The parameters and every group's lr after each step, saving and loading everything (JSON) at `resumeAt`. */
  function trajectory(c: ScheduleCase, resumeAt: number | null): number[] {
    let { params, optimizer } = groupsOf(c.baseLrs, (g) => new Momentum(g, { momentum: 0.5 }));
    let scheduler = schedulerFor(c, optimizer);
    const out: number[] = [];
    for (let t = 1; t < c.steps; t++) {
      if (t === resumeAt) {
        const saved = JSON.parse(
          JSON.stringify({
            optimizer: optimizer.stateDict(),
            scheduler: scheduler.stateDict(),
            x: params.map((p) => p.value.data[0]),
          }),
        );
        // Made as a training script starts (optimizer, scheduler, then the states loaded), with other lrs in
        // other ratios: the base lrs must come from the saved state.
        const other = c.baseLrs.map((lr, g) => lr * (3 + 4 * g));
        ({ params, optimizer } = groupsOf(other, (g) => new Momentum(g, { momentum: 0.5 })));
        params.forEach((p, g) => {
          p.value.data[0] = saved.x[g];
        });
        scheduler = schedulerFor(c, optimizer);
        optimizer.loadStateDict(saved.optimizer);
        scheduler.loadStateDict(saved.scheduler);
      }
      params.forEach((p, g) => {
        p.grad = tensor([Math.sin(t + g) + p.value.data[0]!], { dtype: "float64" });
      });
      optimizer.step();
      scheduler.step();
      out.push(...params.map((p) => p.value.data[0]!), ...lrsOf(optimizer));
    }
    return out;
  }

  it.each(cases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    const straight = trajectory(c, null);
    const resumed = trajectory(c, Math.floor(c.steps / 2) + 1);
    for (let i = 0; i < straight.length; i++) {
      if (!Object.is(straight[i], resumed[i])) {
        expect.fail(`entry ${i}: uninterrupted ${straight[i]}, resumed ${resumed[i]}`);
      }
    }
  });
});

describe("ReduceLROnPlateau against PyTorch", () => {
  const metricsOf = (c: PlateauCase) => c.metrics.map(toNumber);

  it.each(fixture.plateau.map((c) => [c.name, c] as const))("%s: lrs, best and counters after every epoch", (_, c) => {
    const { optimizer } = groupsOf(c.baseLrs);
    const plateau = new ReduceLROnPlateau(optimizer, c.options);
    metricsOf(c).forEach((m, epoch) => {
      plateau.step(m);
      lrsOf(optimizer).forEach((lr, g) => {
        const expected = c.lrs[g]![epoch];
        if (!Object.is(lr, expected)) expect.fail(`epoch ${epoch}, group ${g}: lr ${lr}, PyTorch ${expected}`);
      });
      expect(plateau.best, `best at epoch ${epoch}`).toBe(toNumber(c.best[epoch]!));
      expect(plateau.numBadEpochs, `numBadEpochs at epoch ${epoch}`).toBe(c.numBadEpochs[epoch]);
      expect(plateau.cooldownCounter, `cooldownCounter at epoch ${epoch}`).toBe(c.cooldownCounter[epoch]);
    });
    expect(new Set(c.lrs[0]).size, "the case reduces at least twice").toBeGreaterThan(2);
  });

  it.each(fixture.plateau.map((c) => [c.name, c] as const))(
    "%s: resumed from stateDict mid-run, to the bit",
    (_, c) => {
      const run = (resumeAt: number | null) => {
        let { optimizer } = groupsOf(c.baseLrs);
        let plateau = new ReduceLROnPlateau(optimizer, c.options);
        const out: number[] = [];
        metricsOf(c).forEach((m, epoch) => {
          if (epoch === resumeAt) {
            const saved = JSON.parse(
              JSON.stringify({ optimizer: optimizer.stateDict(), plateau: plateau.stateDict() }),
            );
            ({ optimizer } = groupsOf(c.baseLrs));
            optimizer.loadStateDict(saved.optimizer);
            plateau = new ReduceLROnPlateau(optimizer); // PyTorch's defaults: the options come from the state
            plateau.loadStateDict(saved.plateau);
          }
          plateau.step(m);
          out.push(...lrsOf(optimizer), plateau.best, plateau.numBadEpochs, plateau.cooldownCounter);
        });
        return out;
      };
      const straight = run(null);
      const resumed = run(3); // early: best is still falling and ±∞ may be in the state
      const resumedLate = run(Math.floor(c.metrics.length / 2));
      for (let i = 0; i < straight.length; i++) {
        if (!Object.is(straight[i], resumed[i]) || !Object.is(straight[i], resumedLate[i])) {
          expect.fail(`entry ${i}: uninterrupted ${straight[i]}, resumed ${resumed[i]} / ${resumedLate[i]}`);
        }
      }
    },
  );
});

describe("clipGradNorm against PyTorch's clip_grad_norm_", () => {
  it.each(fixture.clipGradNorm.map((c) => [c.name, c] as const))("%s", (_, c) => {
    const params = c.grads.map(
      (g): Parameter => ({
        value: tensor(new Float64Array(g ? g.data.length : 1), { shape: g ? g.shape : [1] }),
        grad: g ? tensor(Float64Array.from(g.data.map(toNumber)), { shape: g.shape }) : null,
      }),
    );
    const options = { normType: toNumber(c.normType), errorIfNonfinite: c.errorIfNonfinite };
    const call = () => clipGradNorm(params, c.maxNorm, options);
    if (c.error) {
      const before = params.map((p) => Array.from(p.grad?.data ?? []));
      expect(call).toThrow(ValueError);
      expect(call).toThrow(/total norm .* is (NaN|Infinity)/);
      params.forEach((p, i) => {
        const now = Array.from(p.grad?.data ?? []);
        now.forEach((v, j) => {
          expect(Object.is(v, before[i]![j]), `grad ${i}[${j}] unchanged`).toBe(true);
        });
      });
      return;
    }
    const total = call();
    expectSequence([total], [toNumber(c.total!)], RTOL, "total norm");
    c.clipped!.forEach((expected, i) => {
      if (!expected) {
        expect(params[i]!.grad).toBeNull();
        return;
      }
      const e = expected.data.map(toNumber);
      const a = Array.from(params[i]!.grad!.data);
      a.forEach((v, j) => {
        if (Number.isNaN(e[j]!)) expect(Number.isNaN(v), `grad ${i}[${j}] NaN`).toBe(true);
        else expectSequence([v], [e[j]!], RTOL, `grad ${i}[${j}]`);
      });
    });
  });
});
