import { tensor } from "@slope/core";
import { describe, expect, it } from "vitest";
import { Momentum } from "../optimizers/momentum.js";
import { SGD } from "../optimizers/sgd.js";
import type { Parameter } from "../optimizer.js";
import {
  constantSchedule,
  cosineDecay,
  exponentialDecay,
  inverseTimeDecay,
  linearSchedule,
  stepDecay,
  warmup,
} from "./decay.js";
import { Scheduler } from "./scheduler.js";
import { ValueError } from "@slope/core";
import fc from "fast-check";
import { cosineWarmRestarts } from "./cosine-warm-restarts.js";
import { cyclic } from "./cyclic.js";
import { multiStepDecay } from "./multi-step-decay.js";
import { oneCycle } from "./one-cycle.js";
import { polynomialDecay } from "./polynomial-decay.js";
import { ReduceLROnPlateau } from "./reduce-lr-on-plateau.js";
import { decodeStateNumber, encodeStateNumber } from "./state-number.js";

const param = (): Parameter => ({ value: tensor([1], { dtype: "float64" }), grad: tensor([1], { dtype: "float64" }) });

describe("learning-rate schedules", () => {
  it("step decay: lr0·factor^⌊t/every⌋", () => {
    const s = stepDecay({ lr0: 0.1, factor: 0.5, every: 5 });
    expect([0, 4, 5, 9, 10, 15].map(s)).toEqual([0.1, 0.1, 0.05, 0.05, 0.025, 0.0125]);
  });

  it("exponential decay α₀e^(−kt) and 1/t decay α₀/(1 + kt)", () => {
    const e = exponentialDecay({ lr0: 1, k: 0.1 });
    expect(e(0)).toBe(1);
    expect(e(10)).toBeCloseTo(Math.exp(-1), 15);
    const i = inverseTimeDecay({ lr0: 1, k: 0.5 });
    expect([0, 2, 6].map(i)).toEqual([1, 0.5, 0.25]);
  });

  it("cosine decay falls from lr0 to lrMin over `steps` and stays there", () => {
    const c = cosineDecay({ lr0: 1, steps: 10, lrMin: 0.1 });
    expect(c(0)).toBe(1);
    expect(c(5)).toBeCloseTo(0.55, 15);
    expect(c(10)).toBeCloseTo(0.1, 15);
    expect(c(20)).toBeCloseTo(0.1, 15);
  });

  it("warmup then decay: rises linearly, then hands over to the decay from its t = 0", () => {
    const s = warmup({ steps: 4, then: stepDecay({ lr0: 0.4, factor: 0.1, every: 2 }) });
    expect([0, 1, 2, 3, 4, 5, 6].map(s).map((v) => +v.toFixed(12))).toEqual([0.1, 0.2, 0.3, 0.4, 0.4, 0.4, 0.04]);
    expect(constantSchedule(3)(100)).toBe(3);
    expect(linearSchedule({ start: 0.5, end: 0.99, steps: 7 })(7)).toBeCloseTo(0.99, 15);
  });

  it("bad schedule arguments are named", () => {
    expect(() => stepDecay({ lr0: 0.1, factor: 0.5, every: 0 })).toThrow(/every must be > 0, got 0/);
    expect(() => exponentialDecay({ lr0: -1, k: 1 })).toThrow(/lr0 must be > 0/);
  });
});

describe("Scheduler", () => {
  it("sets lr for t = 0 on creation and advances on step()", () => {
    const sgd = new SGD([param()], { lr: 1 });
    const scheduler = new Scheduler(sgd, inverseTimeDecay({ lr0: 0.2, k: 1 }));
    expect(sgd.lr).toBe(0.2);
    scheduler.step();
    expect(sgd.lr).toBe(0.1);
  });

  it("anneals momentum from 0.5 to 0.99 as the slide does", () => {
    const opt = new Momentum([param()], { lr: 0.1 });
    const scheduler = new Scheduler(opt, linearSchedule({ start: 0.5, end: 0.99, steps: 10 }), "momentum");
    expect(opt.paramGroups[0]!.options.momentum).toBe(0.5);
    for (let i = 0; i < 10; i++) scheduler.step();
    expect(opt.paramGroups[0]!.options.momentum).toBeCloseTo(0.99, 15);
  });

  it("state: 10 steps, save, load into a fresh scheduler and optimizer, 10 more = 20 straight, bit for bit", () => {
    const run = (resumeAt: number | null) => {
      let p = param();
      let opt = new Momentum([p], { lr: 1 });
      let scheduler = new Scheduler(opt, warmup({ steps: 3, then: exponentialDecay({ lr0: 0.1, k: 0.07 }) }));
      for (let t = 0; t < 20; t++) {
        if (t === resumeAt) {
          const state = { optimizer: opt.stateDict(), scheduler: scheduler.stateDict(), x: Array.from(p.value.data) };
          const saved = JSON.parse(JSON.stringify(state));
          p = { value: tensor(saved.x, { dtype: "float64" }), grad: null };
          opt = new Momentum([p], { lr: 1 });
          opt.loadStateDict(saved.optimizer);
          scheduler = new Scheduler(opt, warmup({ steps: 3, then: exponentialDecay({ lr0: 0.1, k: 0.07 }) }));
          scheduler.loadStateDict(saved.scheduler);
        }
        p.grad = tensor([Math.sin(t) + p.value.data[0]!], { dtype: "float64" });
        opt.step();
        scheduler.step();
      }
      return [p.value.data[0], opt.lr];
    };
    expect(run(10)).toEqual(run(null));
  });
});

describe("PyTorch's schedules as closed forms (the numbers themselves: tests/torch-parity-schedules.test.ts)", () => {
  it("multiStepDecay multiplies by factor at each milestone, twice at a milestone listed twice, in any order", () => {
    const s = multiStepDecay({ lr0: 1, milestones: [5, 2, 5], factor: 0.5 });
    expect([0, 1, 2, 4, 5, 100].map(s)).toEqual([1, 1, 0.5, 0.5, 0.125, 0.125]);
    expect(multiStepDecay({ lr0: 1, milestones: [1] })(1)).toBeCloseTo(0.1, 15); // PyTorch's gamma 0.1
  });

  it("polynomialDecay reaches lrEnd at `steps` and stays there; PyTorch's defaults steps 5, power 1, lrEnd 0", () => {
    const s = polynomialDecay({ lr0: 1, steps: 4, power: 2, lrEnd: 0.1 });
    expect([0, 2, 4, 9].map(s)).toEqual([1, 0.9 * 0.25 + 0.1, 0.1, 0.1]);
    expect([0, 1, 5, 6].map(polynomialDecay({ lr0: 0.5 }))).toEqual([0.5, 0.5 * (1 - 1 / 5), 0, 0]);
  });

  it("cyclic rises over stepsUp, falls over stepsDown; triangular2 halves the amplitude each cycle", () => {
    const s = cyclic({ lrMin: 1, lrMax: 3, stepsUp: 2, stepsDown: 2, mode: "triangular2" });
    expect([0, 1, 2, 3, 4, 6, 8, 10].map(s)).toEqual([1, 2, 3, 2, 1, 2, 1, 1.5]);
    const e = cyclic({ lrMin: 0, lrMax: 1, stepsUp: 1, mode: "exp_range", gamma: 0.5 });
    expect([1, 3].map(e)).toEqual([0.5, 0.125]);
  });

  it("oneCycle starts at lrMax/divFactor, peaks at lrMax, ends at lrMax/divFactor/finalDivFactor", () => {
    const s = oneCycle({ lrMax: 1, steps: 11, pctStart: 0.5, divFactor: 4, finalDivFactor: 5, anneal: "linear" });
    expect(s(0)).toBe(0.25);
    expect(s(4.5)).toBe(1);
    expect(s(10)).toBeCloseTo(0.05, 15);
  });

  it("cosineWarmRestarts restarts at lr0 after period, period·mult, period·mult², …", () => {
    const s = cosineWarmRestarts({ lr0: 1, period: 2, periodMult: 3, lrMin: 0 });
    const restarts = [0, 2, 8, 26].map(s);
    expect(restarts).toEqual([1, 1, 1, 1]);
    expect(s(1)).toBeCloseTo(0.5, 15);
    expect(s(5)).toBeCloseTo(0.5, 15); // halfway through the 6-step period [2, 8)
  });

  it("NaN t gives NaN, and t = ±∞ or 1e300 returns at once (no endless loop over restarts)", () => {
    const s = cosineWarmRestarts({ lr0: 1, period: 3, periodMult: 2 });
    expect(s(NaN)).toBeNaN();
    expect(s(Infinity)).toBeNaN();
    expect(Number.isFinite(s(1e300))).toBe(true);
    expect(multiStepDecay({ lr0: 1, milestones: [1] })(NaN)).toBeNaN();
    expect(cyclic({ lrMin: 1, lrMax: 2 })(NaN)).toBeNaN();
    expect(polynomialDecay({ lr0: 1 })(NaN)).toBeNaN();
  });

  it("each schedule stays within its bounds for any step (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), (t) => {
        const c = cyclic({ lrMin: 0.1, lrMax: 0.7, stepsUp: 13, stepsDown: 29, mode: "triangular2" })(t);
        const w = cosineWarmRestarts({ lr0: 0.9, period: 7, periodMult: 2, lrMin: 0.2 })(t);
        const p = polynomialDecay({ lr0: 0.5, steps: 1000, power: 1.5, lrEnd: 0.01 })(t);
        const within = (v: number, low: number, high: number) => v >= low - 1e-15 && v <= high + 1e-15;
        return within(c, 0.1, 0.7) && within(w, 0.2, 0.9) && within(p, 0.01, 0.5);
      }),
    );
  });

  it("bad options are ValueErrors naming the option, what it must be and what came", () => {
    expect(() => multiStepDecay({ lr0: 1, milestones: [3, 1.5] })).toThrow(
      /milestones\[1\] must be an integer ≥ 0, got 1.5/,
    );
    expect(() => multiStepDecay({ lr0: 1, milestones: 3 as never })).toThrow(ValueError);
    expect(() => polynomialDecay({ lr0: 1, steps: 0 })).toThrow(/steps must be an integer ≥ 1, got 0/);
    expect(() => cyclic({ lrMin: 1, lrMax: 2, mode: "sawtooth" as never })).toThrow(
      /mode must be one of "triangular", "triangular2", "exp_range", got "sawtooth"/,
    );
    expect(() => cyclic({ lrMin: NaN, lrMax: 2 })).toThrow(/lrMin must be a finite number, got NaN/);
    expect(() => oneCycle({ lrMax: 1, steps: 10, pctStart: 1.5 })).toThrow(/pctStart must be in \[0, 1\], got 1.5/);
    expect(() => oneCycle({ lrMax: 1, steps: 10, pctStart: 0.1 })).toThrow(/phase 1 of 2 has no steps/);
    expect(() => oneCycle({ lrMax: 1, steps: 10, anneal: "cosine" as never })).toThrow(
      /anneal must be one of "cos", "linear"/,
    );
    expect(() => oneCycle({ lrMax: 1, steps: 10 })(11)).toThrow(/t = 11 is past the cycle's 10 steps/);
    expect(() => cosineWarmRestarts({ lr0: 1, period: 2.5 })).toThrow(/period must be an integer ≥ 1, got 2.5/);
    expect(() => cosineWarmRestarts({ lr0: 1, period: 2, periodMult: 0 })).toThrow(/periodMult must be an integer ≥ 1/);
  });
});

describe("Scheduler: every group's own base rate, and a state checked before it changes anything", () => {
  const twoGroups = () => {
    const a = param();
    const b = param();
    return new SGD([
      { params: [a], lr: 0.1 },
      { params: [b], lr: 0.02 },
    ]);
  };
  const lrs = (o: SGD) => o.paramGroups.map((g) => g.options.lr);

  it("one schedule: the first group follows it, the second keeps its ratio (0.2) to the first", () => {
    const sgd = twoGroups();
    const scheduler = new Scheduler(sgd, stepDecay({ lr0: 0.1, factor: 0.5, every: 1 }));
    expect(lrs(sgd)).toEqual([0.1, 0.1 * (0.02 / 0.1)]);
    scheduler.step();
    expect(lrs(sgd)).toEqual([0.05, 0.05 * (0.02 / 0.1)]);
    expect(scheduler.bases).toEqual([0.1, 0.02]);
  });

  it("one schedule per group: each group gets its own; a wrong count is a ValueError", () => {
    const sgd = twoGroups();
    new Scheduler(sgd, [constantSchedule(0.3), constantSchedule(0.004)]);
    expect(lrs(sgd)).toEqual([0.3, 0.004]);
    expect(() => new Scheduler(sgd, [constantSchedule(1)])).toThrow(/one schedule .* per parameter group: 2, got 1/);
  });

  it("a ratio to a first group whose value is 0 is refused (momentum 0 and 0.9): pass one schedule per group", () => {
    const opt = new Momentum(
      [
        { params: [param()], momentum: 0 },
        { params: [param()], momentum: 0.9 },
      ],
      { lr: 0.1 },
    );
    expect(() => new Scheduler(opt, constantSchedule(0.5), "momentum")).toThrow(/first group's momentum is 0/);
    expect(() => new Scheduler(opt, constantSchedule(0.5), "nesterov")).toThrow(/no numeric option "nesterov"/);
  });

  it("stateDict round-trips the base rates through JSON: a fresh scheduler over changed lrs resumes exactly", () => {
    const sgd = twoGroups();
    const scheduler = new Scheduler(sgd, exponentialDecay({ lr0: 0.1, k: 0.3 }));
    for (let i = 0; i < 7; i++) scheduler.step();
    const saved = JSON.parse(JSON.stringify(scheduler.stateDict()));
    const other = twoGroups();
    other.setOption("lr", 5);
    const resumed = new Scheduler(other, exponentialDecay({ lr0: 0.1, k: 0.3 }));
    resumed.loadStateDict(saved);
    for (let i = 0; i < 5; i++) {
      scheduler.step();
      resumed.step();
      lrs(sgd).forEach((lr, g) => {
        expect(Object.is(lr, lrs(other)[g])).toBe(true);
      });
    }
  });

  it("a corrupt or mismatched state is refused with a ValueError and changes nothing", () => {
    const sgd = twoGroups();
    const scheduler = new Scheduler(sgd, inverseTimeDecay({ lr0: 0.1, k: 1 }));
    scheduler.step();
    const good = scheduler.stateDict();
    const before = { t: scheduler.t, lrs: lrs(sgd), bases: scheduler.bases };
    const bad: unknown[] = [
      null,
      { ...good, t: -1 },
      { ...good, t: 1.5 },
      { ...good, option: "momentum" },
      { t: 3, option: "lr" }, // no baseValues (the earlier format)
      { ...good, baseValues: [0.1] },
      { ...good, baseValues: [0.1, "zero"] },
      { ...good, baseValues: [0.1, "Infinity"] },
      { ...good, baseValues: [0, 0.02] },
    ];
    for (const state of bad) {
      expect(() => scheduler.loadStateDict(state as never), JSON.stringify(state)).toThrow(ValueError);
      expect({ t: scheduler.t, lrs: lrs(sgd), bases: scheduler.bases }).toEqual(before);
    }
  });

  it("a state whose value the optimizer refuses (a negative lr) is refused and changes nothing", () => {
    const sgd = twoGroups();
    const scheduler = new Scheduler(sgd, (t: number) => 0.1 - 0.05 * t);
    const before = lrs(sgd);
    expect(() => scheduler.loadStateDict({ ...scheduler.stateDict(), t: 3 })).toThrow(
      /lr must be a number ≥ 0, got -0.05/,
    );
    expect(scheduler.t).toBe(0);
    expect(lrs(sgd)).toEqual(before);
  });

  it("a schedule may end at lr 0, as PyTorch's: polynomialDecay reaches 0 at t = steps", () => {
    const sgd = twoGroups();
    const scheduler = new Scheduler(sgd, polynomialDecay({ lr0: 0.1, steps: 4 }));
    for (let t = 0; t < 4; t++) scheduler.step();
    expect(lrs(sgd)).toEqual([0, 0]);
  });
});

describe("ReduceLROnPlateau", () => {
  it("reduces after more than `patience` epochs without improvement; a NaN metric is a bad epoch", () => {
    const sgd = new SGD([param()], { lr: 1 });
    const plateau = new ReduceLROnPlateau(sgd, { patience: 1, factor: 0.5 });
    for (const m of [3, 2, 2, NaN]) plateau.step(m);
    expect(sgd.lr).toBe(0.5);
    expect(plateau.best).toBe(2);
  });

  it("bad options are ValueErrors naming what was expected", () => {
    const sgd = new SGD([param()], { lr: 1 });
    expect(() => new ReduceLROnPlateau(sgd, { factor: 1 })).toThrow(/factor must be a number in \(0, 1\), got 1/);
    expect(() => new ReduceLROnPlateau(sgd, { mode: "up" as never })).toThrow(/mode must be one of "min", "max"/);
    expect(() => new ReduceLROnPlateau(sgd, { patience: -1 })).toThrow(/patience must be an integer ≥ 0/);
    expect(() => new ReduceLROnPlateau(sgd, { minLr: [0, 0] })).toThrow(
      /expected 1 minLr values \(one per group\), got 2/,
    );
    expect(() => new ReduceLROnPlateau(sgd).step("0.5" as never)).toThrow(ValueError);
  });

  it("its state keeps best = ±∞ through JSON, and a corrupt state is refused without changing anything", () => {
    const sgd = new SGD([param()], { lr: 1 });
    const plateau = new ReduceLROnPlateau(sgd, { mode: "max" });
    const saved = JSON.parse(JSON.stringify(plateau.stateDict()));
    expect(saved.best).toBe("-Infinity");
    plateau.step(0.25);
    const before = JSON.stringify(plateau.stateDict());
    for (const bad of [
      { ...saved, best: null },
      { ...saved, factor: 2 },
      { ...saved, minLrs: [] },
      { ...saved, thresholdMode: "pct" },
      { ...saved, numBadEpochs: -1 },
      { ...saved, best: "NaN" },
      null,
    ]) {
      expect(() => plateau.loadStateDict(bad), JSON.stringify(bad)).toThrow(ValueError);
      expect(JSON.stringify(plateau.stateDict())).toBe(before);
    }
    plateau.loadStateDict(saved);
    expect(plateau.best).toBe(-Infinity);
  });
});

describe("numbers in a scheduler's state", () => {
  it("every float64, −0, NaN and ±∞ included, survives JSON to the bit (property)", () => {
    fc.assert(
      fc.property(fc.double(), (x) => {
        const back = decodeStateNumber(JSON.parse(JSON.stringify(encodeStateNumber(x))), "x");
        return Object.is(back, x) || (Number.isNaN(back) && Number.isNaN(x));
      }),
    );
    expect(() => decodeStateNumber("1e3", "x")).toThrow(ValueError);
  });
});
