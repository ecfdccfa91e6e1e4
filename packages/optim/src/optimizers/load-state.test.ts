// loadStateDict checks a saved state completely before it changes anything (issue #15): every corruption is a
// named error (a SlopeError, never a raw TypeError or RangeError), and a refused state leaves the optimizer as it was.
import { DTypeError, DataFormatError, Rng, ShapeError, SlopeError, ValueError, tensor } from "@slope/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Optimizer, OptimizerStateDict, Parameter } from "../optimizer.js";
import {
  ASGD,
  AdaGrad,
  Adadelta,
  Adam,
  Adamax,
  AdamW,
  LBFGS,
  Lion,
  Momentum,
  NAdam,
  Nesterov,
  RAdam,
  RMSProp,
  Rprop,
  SGD,
} from "../index.js";

const makers: [string, (p: Parameter[]) => Optimizer][] = [
  ["SGD", (p) => new SGD(p, { lr: 0.05 })],
  ["Momentum", (p) => new Momentum(p, { lr: 0.05 })],
  ["Nesterov", (p) => new Nesterov(p, { lr: 0.05 })],
  ["AdaGrad", (p) => new AdaGrad(p, { lr: 0.05 })],
  ["RMSProp", (p) => new RMSProp(p, { lr: 0.05, centered: true, momentum: 0.5 })],
  ["Adam", (p) => new Adam(p, { amsgrad: true })],
  ["AdamW", (p) => new AdamW(p, {})],
  ["Adadelta", (p) => new Adadelta(p, {})],
  ["Adamax", (p) => new Adamax(p, {})],
  ["NAdam", (p) => new NAdam(p, {})],
  ["RAdam", (p) => new RAdam(p, {})],
  ["Rprop", (p) => new Rprop(p, {})],
  ["ASGD", (p) => new ASGD(p, {})],
  ["Lion", (p) => new Lion(p, {})],
  ["LBFGS", (p) => new LBFGS(p, { maxIterations: 3, lineSearchFn: "strong_wolfe" })],
];

const params = (): Parameter[] => [
  { value: tensor([0.3, -1.2, 2.5], { dtype: "float64" }), grad: null },
  { value: tensor([[1, 2]], { dtype: "float64" }), grad: null },
];

/** An optimizer of `make` after three steps on Σ x⁴/4 (so every buffer exists), and its parameters. */
function trained(make: (p: Parameter[]) => Optimizer): { optimizer: Optimizer; ps: Parameter[] } {
  const ps = params();
  const optimizer = make(ps);
  const closure = () => {
    let loss = 0;
    for (const p of ps) {
      p.grad = tensor(
        Array.from(p.value.data, (x) => x * x * x),
        { dtype: "float64", shape: p.value.shape },
      );
      loss += Array.from(p.value.data).reduce((s, x) => s + x ** 4 / 4, 0);
    }
    return loss;
  };
  for (let t = 0; t < 3; t++) {
    if (optimizer instanceof LBFGS) optimizer.step(closure);
    else {
      closure();
      optimizer.step();
    }
  }
  return { optimizer, ps };
}

// biome-ignore lint/suspicious/noExplicitAny: a corruption reaches into a saved state of any shape, on purpose.
type Corruption = [string, (d: any) => void, new (...a: never[]) => SlopeError];
// biome-ignore lint/suspicious/noExplicitAny: as above, the state is taken apart without its type.
const firstBuffer = (d: any) => Object.values(d.state[0].buffers)[0] as any;
const corruptions: Corruption[] = [
  ["a NaN step count", (d) => (d.state[0].step = NaN), DataFormatError],
  ["a negative step count", (d) => (d.state[0].step = -3), DataFormatError],
  ["a fractional step count", (d) => (d.state[0].step = 1.5), DataFormatError],
  ["a NaN iteration count", (d) => (d.iterations = NaN), DataFormatError],
  ["a buffer whose length differs from its parameter's size", (d) => (firstBuffer(d).length = 2), DataFormatError],
  [
    "a buffer whose bytes hold fewer values than it says",
    (d) => (firstBuffer(d).base64 = "AAAAAAAAAAA="),
    DataFormatError,
  ],
  ["a buffer whose base64 is not base64", (d) => (firstBuffer(d).base64 = "%%%%"), DataFormatError],
  ["a buffer of another dtype", (d) => (firstBuffer(d).dtype = "float32"), DTypeError],
  ["a missing buffer", (d) => delete d.state[0].buffers[Object.keys(d.state[0].buffers)[0]!], DataFormatError],
  ["an unknown buffer", (d) => (d.state[0].buffers.velocityy = firstBuffer(d)), DataFormatError],
  ["a missing option", (d) => delete d.groups[0].options.lr, ValueError],
  ["an unknown option", (d) => (d.groups[0].options.lrr = 0.1), ValueError],
  ["an option out of range", (d) => (d.groups[0].options.lr = -1), ValueError],
  ["a missing groups section", (d) => delete d.groups, DataFormatError],
  ["a missing state section", (d) => delete d.state, DataFormatError],
  ["a state entry for a parameter that does not exist", (d) => (d.state[0].param = 7), ValueError],
  ["two entries for one parameter", (d) => (d.state[1].param = d.state[0].param), DataFormatError],
  ["a changed shape", (d) => (d.state[1].shape = [2, 1]), ShapeError],
  ["another optimizer's state", (d) => (d.optimizer = "Nobody"), ValueError],
];
const lbfgsCorruptions: Corruption[] = [
  ["no extra section", (d) => delete d.extra, DataFormatError],
  ["half the curvature history (oldSteps missing)", (d) => delete d.extra.oldSteps, DataFormatError],
  ["oldDirs and oldSteps of different lengths", (d) => d.extra.oldSteps.pop(), DataFormatError],
  ["a curvature vector of the wrong length", (d) => (d.extra.d.length = 4), DataFormatError],
  ["a negative iteration count", (d) => (d.extra.nIter = -1), DataFormatError],
  ["an unknown extra entry", (d) => (d.extra.alpha = 1), DataFormatError],
];

describe("loadStateDict refuses a corrupt state with a named error and changes nothing", () => {
  for (const [name, make] of makers) {
    const noBuffers = name === "LBFGS" || name === "SGD";
    const cases = noBuffers
      ? [...corruptions.filter(([c]) => !/buffer/.test(c)), ...(name === "LBFGS" ? lbfgsCorruptions : [])]
      : corruptions;
    it.each(cases)(`${name}: %s`, (_, corrupt, Err) => {
      const { optimizer } = trained(make);
      const before = JSON.stringify(optimizer.stateDict());
      const dict = JSON.parse(before);
      corrupt(dict);
      expect(() => optimizer.loadStateDict(dict)).toThrow(Err);
      expect(JSON.stringify(optimizer.stateDict())).toBe(before);
    });
  }

  it("an empty object, null and a string are DataFormatErrors, not TypeErrors", () => {
    const { optimizer } = trained((p) => new Adam(p, {}));
    for (const bad of [{}, null, "state", []]) {
      expect(() => optimizer.loadStateDict(bad as unknown as OptimizerStateDict)).toThrow(SlopeError);
    }
  });

  it.each(makers)(
    "%s: any one value of the saved JSON replaced by a random value either loads or is a SlopeError, " +
      "and a refused state changes nothing",
    (_, make) => {
      const { optimizer } = trained(make);
      const before = JSON.stringify(optimizer.stateDict());
      const paths: (string | number)[][] = [];
      const walk = (v: unknown, path: (string | number)[]) => {
        paths.push(path);
        if (!v || typeof v !== "object") return;
        for (const [k, c] of Object.entries(v)) walk(c, [...path, Array.isArray(v) ? Number(k) : k]);
      };
      walk(JSON.parse(before), []);
      const junk = fc.oneof(
        fc.constant(null),
        fc.constant(undefined),
        fc.double(),
        fc.integer(),
        fc.string(),
        fc.boolean(),
        fc.constant([]),
        fc.constant({}),
        fc.constant(NaN),
        fc.constant(-1),
      );
      fc.assert(
        fc.property(fc.integer({ min: 1, max: paths.length - 1 }), junk, (k, value) => {
          const dict = JSON.parse(before);
          const path = paths[k]!;
          let target = dict;
          for (const key of path.slice(0, -1)) target = target[key];
          target[path.at(-1)!] = value;
          try {
            optimizer.loadStateDict(dict);
            optimizer.loadStateDict(JSON.parse(before)); // put it back for the next run
          } catch (e) {
            expect(e, `${path.join(".")} = ${String(value)}: ${String(e)}`).toBeInstanceOf(SlopeError);
            expect(JSON.stringify(optimizer.stateDict())).toBe(before);
          }
        }),
        { numRuns: 150, seed: 15 },
      );
    },
  );
});

describe("gradients are checked by shape, before any parameter changes", () => {
  const firstOrder = makers.filter(([n]) => n !== "LBFGS");
  it.each(firstOrder)("%s: a gradient of another shape with the same size is a ShapeError", (_, make) => {
    const ps = params();
    const optimizer = make(ps);
    ps[0]!.grad = tensor([1, 1, 1], { dtype: "float64" });
    ps[1]!.grad = tensor([1, 1], { dtype: "float64" }); // [2] for a parameter of [1, 2]
    expect(() => optimizer.step()).toThrow(ShapeError);
    expect(Array.from(ps[0]!.value.data)).toEqual([0.3, -1.2, 2.5]); // the first parameter did not move either
    expect(optimizer.iterations).toBe(0);
  });

  it("LBFGS: a gradient of another shape is a ShapeError", () => {
    const ps = params();
    const lbfgs = new LBFGS(ps, {});
    expect(() =>
      lbfgs.step(() => {
        ps[0]!.grad = tensor([[1, 1, 1]], { dtype: "float64" });
        ps[1]!.grad = tensor([1, 1], { dtype: "float64" });
        return 1;
      }),
    ).toThrow(ShapeError);
  });
});

describe("maximize: gradient ascent on every optimizer", () => {
  const firstOrder = makers.filter(([n]) => n !== "LBFGS");
  it.each(firstOrder)("%s: maximize with gradient dx gives the bits of minimizing with −dx", (name, make) => {
    const run = (maximize: boolean) => {
      const ps = params();
      const optimizer = make(ps);
      optimizer.setOption("maximize" as never, maximize);
      const rng = new Rng(`maximize-${name}`);
      for (let t = 0; t < 12; t++) {
        for (const p of ps) {
          const g = Array.from(p.value.data, (x) => -(x * x * x) + 0.1 * rng.normal());
          p.grad = tensor(
            g.map((v) => (maximize ? v : -v)),
            { dtype: "float64", shape: p.value.shape },
          );
        }
        optimizer.step();
      }
      return ps.flatMap((p) => Array.from(p.value.data));
    };
    const up = run(true),
      down = run(false);
    up.forEach((v, i) => {
      expect(Object.is(v, down[i]), `element ${i}: ${v} vs ${down[i]}`).toBe(true);
    });
    expect(up.some((v, i) => v !== [0.3, -1.2, 2.5, 1, 2][i])).toBe(true);
  });

  it("LBFGS: maximizing f gives the iterates of minimizing −f", () => {
    const run = (maximize: boolean) => {
      const ps = params();
      const lbfgs = new LBFGS(ps, { lineSearchFn: "strong_wolfe", maximize, maxIterations: 4 });
      const sign = maximize ? -1 : 1; // f = −Σ x⁴/4 − Σ x² is what is maximized
      const closure = () => {
        let loss = 0;
        for (const p of ps) {
          const g = Array.from(p.value.data, (x) => sign * (x * x * x + 2 * x));
          p.grad = tensor(g, { dtype: "float64", shape: p.value.shape });
          for (const x of p.value.data) loss += sign * (x ** 4 / 4 + x * x);
        }
        return loss;
      };
      for (let t = 0; t < 3; t++) lbfgs.step(closure);
      return ps.flatMap((p) => Array.from(p.value.data));
    };
    const up = run(true),
      down = run(false);
    up.forEach((v, i) => {
      expect(Object.is(v, down[i])).toBe(true);
    });
    expect(Math.max(...up.map(Math.abs))).toBeLessThan(0.1); // it found the maximum at 0
  });
});

describe("NaN in gives NaN out", () => {
  it.each(makers.filter(([n]) => n !== "LBFGS"))("%s: a NaN gradient element makes its parameter NaN", (_, make) => {
    const ps = params();
    const optimizer = make(ps);
    for (let t = 0; t < 3; t++) {
      ps[0]!.grad = tensor([t === 2 ? NaN : 1, 1, 1], { dtype: "float64" });
      ps[1]!.grad = tensor([[1, 1]], { dtype: "float64" });
      optimizer.step();
    }
    expect(Number.isNaN(ps[0]!.value.data[0]!)).toBe(true);
    expect(Number.isFinite(ps[0]!.value.data[1]!)).toBe(true);
  });
});

describe("bad parameters and gradients are named errors, not TypeErrors", () => {
  it("numbers, empty groups and non-tensor gradients", () => {
    expect(() => new SGD([1, 2] as never, { lr: 0.1 })).toThrow(ValueError);
    expect(() => new SGD([{ params: [] }], { lr: 0.1 })).toThrow(/group 0's params must be a non-empty array/);
    const ps = params();
    const sgd = new SGD(ps, { lr: 0.1 });
    ps[0]!.grad = new Float64Array(3) as never;
    expect(() => sgd.step()).toThrow(/grad must be a Tensor or null/);
  });
});

describe("the new options are checked like the old ones", () => {
  it("choices, Rprop's η₋ < 1 < η₊, L-BFGS's maxEval default", () => {
    expect(() => new Momentum(params(), { lr: 0.1, form: "torch" as never })).toThrow(
      /form must be one of "lecture", "pytorch", got torch/,
    );
    expect(() => new LBFGS(params(), { lineSearchFn: "wolfe" as never })).toThrow(/lineSearchFn must be one of/);
    expect(() => new Rprop(params(), { etaPlus: 0.9 })).toThrow(/0 < etaMinus < 1 < etaPlus/);
    expect(() => new Rprop(params(), { stepSizeMin: 1, stepSizeMax: 0.5 })).toThrow(/stepSizeMin ≤ stepSizeMax/);
    expect(() => new Adam(params(), { maximize: 1 as never })).toThrow(/maximize must be true or false/);
    expect(new LBFGS(params(), { maxIterations: 8 }).paramGroups[0]!.options.maxEval).toBe(10); // PyTorch's ⌊8·5/4⌋
    expect(new LBFGS(params(), {}).paramGroups[0]!.options.maxEval).toBe(25);
  });
});
