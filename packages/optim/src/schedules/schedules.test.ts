import { tensor } from "@slope/core";
import { describe, expect, it } from "vitest";
import { Momentum } from "../optimizers/momentum.js";
import { SGD } from "../optimizers/sgd.js";
import type { Parameter } from "../optimizer.js";
import { constantSchedule, cosineDecay, exponentialDecay, inverseTimeDecay, linearSchedule, stepDecay, warmup } from "./decay.js";
import { Scheduler } from "./scheduler.js";

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
          const saved = JSON.parse(JSON.stringify({ optimizer: opt.stateDict(), scheduler: scheduler.stateDict(), x: Array.from(p.value.data) }));
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
