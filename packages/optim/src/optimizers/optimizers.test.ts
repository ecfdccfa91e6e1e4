import { type DType, Rng, tensor } from "@slope/core";
import { describe, expect, it } from "vitest";
import type { Optimizer, Parameter } from "../optimizer.js";
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

const gradients = [0.5, -0.25, 1.0];

/** Runs three steps of `make` on x0 = 1 with the fixed gradients above; returns the iterates. */
function threeSteps(make: (p: Parameter[]) => Optimizer): number[] {
  const p: Parameter = { value: tensor([1], { dtype: "float64" }), grad: null };
  const optimizer = make([p]);
  return gradients.map((g) => {
    p.grad = tensor([g], { dtype: "float64" });
    optimizer.step();
    return p.value.data[0]!;
  });
}

function expectIterates(got: number[], want: number[]) {
  got.forEach((x, i) => {
    expect(Math.abs(x - want[i]!)).toBeLessThan(1e-12);
  });
}

describe("each optimizer's first three steps agree with hand-worked values (x0 = 1, dx = 0.5, −0.25, 1, lr = 0.1)", () => {
  it("SGD: x −= lr·dx", () => {
    expectIterates(
      threeSteps((p) => new SGD(p, { lr: 0.1 })),
      [0.95, 0.975, 0.875],
    );
  });

  it("Momentum: v = μv − lr·dx; x += v", () => {
    // v: −0.05, −0.045 + 0.025 = −0.02, −0.018 − 0.1 = −0.118
    expectIterates(
      threeSteps((p) => new Momentum(p, { lr: 0.1, momentum: 0.9 })),
      [0.95, 0.93, 0.812],
    );
  });

  it("Momentum with dampening = μ: v = μv − (1 − μ)·lr·dx", () => {
    // v: −0.005, −0.0045 + 0.0025 = −0.002, −0.0018 − 0.01 = −0.0118
    expectIterates(
      threeSteps((p) => new Momentum(p, { lr: 0.1, momentum: 0.9, dampening: 0.9 })),
      [0.995, 0.993, 0.9812],
    );
  });

  it("Nesterov: x += −μ·v_prev + (1 + μ)·v", () => {
    // x1 = 1 + 1.9·(−0.05); x2 = x1 + 0.045 + 1.9·(−0.02); x3 = x2 + 0.018 + 1.9·(−0.118)
    expectIterates(
      threeSteps((p) => new Nesterov(p, { lr: 0.1, momentum: 0.9 })),
      [0.905, 0.912, 0.7058],
    );
  });

  it("AdaGrad: cache += dx²; x −= lr·dx/(√cache + ε)", () => {
    const x1 = 1 - 0.05 / (0.5 + 1e-7);
    const x2 = x1 + 0.025 / (Math.sqrt(0.3125) + 1e-7);
    const x3 = x2 - 0.1 / (Math.sqrt(1.3125) + 1e-7);
    expectIterates(
      threeSteps((p) => new AdaGrad(p, { lr: 0.1 })),
      [x1, x2, x3],
    );
  });

  it("RMSProp: cache = ρ·cache + (1 − ρ)·dx²; x −= lr·dx/(√cache + ε)", () => {
    const x1 = 1 - 0.05 / (Math.sqrt(0.0025) + 1e-8);
    const x2 = x1 + 0.025 / (Math.sqrt(0.0031) + 1e-8);
    const x3 = x2 - 0.1 / (Math.sqrt(0.013069) + 1e-8);
    expectIterates(
      threeSteps((p) => new RMSProp(p, { lr: 0.1 })),
      [x1, x2, x3],
    );
  });

  it("Adam with bias correction", () => {
    const x1 = 1 - (0.1 * (0.05 / 0.1)) / (Math.sqrt(0.00025 / 0.001) + 1e-8);
    const x2 = x1 - (0.1 * (0.02 / 0.19)) / (Math.sqrt(0.00031225 / 0.001999) + 1e-8);
    const x3 = x2 - (0.1 * (0.118 / 0.271)) / (Math.sqrt(0.00131193775 / 0.002997001) + 1e-8);
    expectIterates(
      threeSteps((p) => new Adam(p, { lr: 0.1 })),
      [x1, x2, x3],
    );
  });

  it("Adam without bias correction (the lecture's incomplete Adam)", () => {
    const x1 = 1 - (0.1 * 0.05) / (Math.sqrt(0.00025) + 1e-8);
    const x2 = x1 - (0.1 * 0.02) / (Math.sqrt(0.00031225) + 1e-8);
    const x3 = x2 - (0.1 * 0.118) / (Math.sqrt(0.00131193775) + 1e-8);
    expectIterates(
      threeSteps((p) => new Adam(p, { lr: 0.1, biasCorrection: false })),
      [x1, x2, x3],
    );
  });

  it("AdamW: x −= lr·λ·x, then Adam's step", () => {
    const x1 = 1 * 0.99 - (0.1 * 0.5) / (0.5 + 1e-8);
    const x2 = x1 * 0.99 - (0.1 * (0.02 / 0.19)) / (Math.sqrt(0.00031225 / 0.001999) + 1e-8);
    const x3 = x2 * 0.99 - (0.1 * (0.118 / 0.271)) / (Math.sqrt(0.00131193775 / 0.002997001) + 1e-8);
    expectIterates(
      threeSteps((p) => new AdamW(p, { lr: 0.1, weightDecay: 0.1 })),
      [x1, x2, x3],
    );
  });

  it('Adam with amsgrad, Optax\'s form (amsgradMaxOf "vHat"), keeps the largest bias-corrected v̂', () => {
    // v̂: 0.25, 0.00031225/0.001999 ≈ 0.1562 (< 0.25, so 0.25 is kept), then 0.4377.
    const x1 = 1 - (0.1 * 0.5) / (0.5 + 1e-8);
    const x2 = x1 - (0.1 * (0.02 / 0.19)) / (Math.sqrt(0.25) + 1e-8);
    const x3 = x2 - (0.1 * (0.118 / 0.271)) / (Math.sqrt(0.00131193775 / 0.002997001) + 1e-8);
    expectIterates(
      threeSteps((p) => new Adam(p, { lr: 0.1, amsgrad: true, amsgradMaxOf: "vHat" })),
      [x1, x2, x3],
    );
  });

  it("Adam with amsgrad, PyTorch's form (the default), keeps the largest raw v, corrected by today's 1 − β2ᵗ", () => {
    // raw v: 0.00025, then 0.00031225 (> 0.00025: the maximum follows it, where the v̂ form kept 0.25), then 0.00131…
    const x1 = 1 - (0.1 * 0.5) / (Math.sqrt(0.00025) / Math.sqrt(0.001) + 1e-8);
    const x2 = x1 - ((0.1 / 0.19) * 0.02) / (Math.sqrt(0.00031225) / Math.sqrt(0.001999) + 1e-8);
    const x3 = x2 - ((0.1 / 0.271) * 0.118) / (Math.sqrt(0.00131193775) / Math.sqrt(0.002997001) + 1e-8);
    expectIterates(
      threeSteps((p) => new Adam(p, { lr: 0.1, amsgrad: true })),
      [x1, x2, x3],
    );
  });

  it("Momentum, PyTorch's form: v = dx at first (not damped), then v = μv + (1 − dampening)·dx; x −= lr·v", () => {
    // v: 0.5, 0.45 − 0.5·0.25 = 0.325, 0.2925 + 0.5 = 0.7925
    expectIterates(
      threeSteps((p) => new Momentum(p, { lr: 0.1, momentum: 0.9, dampening: 0.5, form: "pytorch" })),
      [0.95, 0.9175, 0.83825],
    );
  });

  it("AdaGrad with lrDecay, initialAccumulatorValue and ε inside the root (TensorFlow.js's placement)", () => {
    const o = { lr: 0.1, eps: 1e-7, initialAccumulatorValue: 0.1, lrDecay: 0.5, epsInsideSqrt: true };
    const x1 = 1 - (0.1 * 0.5) / Math.sqrt(0.35 + 1e-7);
    const x2 = x1 + ((0.1 / 1.5) * 0.25) / Math.sqrt(0.4125 + 1e-7);
    const x3 = x2 - ((0.1 / 2) * 1) / Math.sqrt(1.4125 + 1e-7);
    expectIterates(
      threeSteps((p) => new AdaGrad(p, o)),
      [x1, x2, x3],
    );
  });

  it("Adamax: u = max(β2·u, |dx| + ε); x −= lr/(1 − β1ᵗ)·m/u", () => {
    const u1 = 0.5 + 1e-8,
      u2 = Math.max(0.999 * u1, 0.25 + 1e-8),
      u3 = Math.max(0.999 * u2, 1 + 1e-8);
    const x1 = 1 - ((0.1 / 0.1) * 0.05) / u1;
    const x2 = x1 - ((0.1 / 0.19) * 0.02) / u2;
    const x3 = x2 - ((0.1 / 0.271) * 0.118) / u3;
    expectIterates(
      threeSteps((p) => new Adamax(p, { lr: 0.1 })),
      [x1, x2, x3],
    );
  });

  it("Adadelta: Δ = √(acc + ε)/√(cache + ε)·dx", () => {
    const eps = 1e-6;
    let x = 1,
      cache = 0,
      acc = 0;
    const want = gradients.map((g) => {
      cache = 0.9 * cache + 0.1 * g * g;
      const delta = (Math.sqrt(acc + eps) / Math.sqrt(cache + eps)) * g;
      acc = 0.9 * acc + 0.1 * delta * delta;
      x -= delta;
      return x;
    });
    expectIterates(
      threeSteps((p) => new Adadelta(p, {})),
      want,
    );
  });
});

describe("the lecture's claims about the optimizers", () => {
  it("Nesterov's transformed form gives the same iterates as the look-ahead form, with φ = x + μv", () => {
    // f(x) = ½ xᵀAx, ∇f = Ax, A = diag(1, 10).
    const A = [1, 10];
    const lr = 0.05,
      mu = 0.9;
    let x = [2, 1],
      v = [0, 0];
    const lookAhead: number[][] = [];
    for (let t = 0; t < 25; t++) {
      const ahead = x.map((xi, i) => xi + mu * v[i]!);
      v = v.map((vi, i) => mu * vi - lr * A[i]! * ahead[i]!);
      x = x.map((xi, i) => xi + v[i]!);
      lookAhead.push(x.map((xi, i) => xi + mu * v[i]!)); // φ
    }
    const phi: Parameter = { value: tensor([2, 1], { dtype: "float64" }), grad: null };
    const nesterov = new Nesterov([phi], { lr, momentum: mu });
    for (let t = 0; t < 25; t++) {
      phi.grad = tensor([A[0]! * phi.value.data[0]!, A[1]! * phi.value.data[1]!], { dtype: "float64" });
      nesterov.step();
      expect(Math.abs(phi.value.data[0]! - lookAhead[t]![0]!)).toBeLessThan(1e-12);
      expect(Math.abs(phi.value.data[1]! - lookAhead[t]![1]!)).toBeLessThan(1e-12);
    }
  });

  it("AdaGrad's effective step shrinks toward zero over a long run while RMSProp's does not", () => {
    const run = (make: (p: Parameter[]) => Optimizer) => {
      const p: Parameter = { value: tensor([0], { dtype: "float64" }), grad: tensor([1], { dtype: "float64" }) };
      const optimizer = make([p]);
      let last = 0;
      for (let t = 0; t < 10_000; t++) {
        const before = p.value.data[0]!;
        optimizer.step();
        last = Math.abs(p.value.data[0]! - before);
      }
      return last;
    };
    const adagrad = run((p) => new AdaGrad(p, { lr: 0.01 }));
    const rmsprop = run((p) => new RMSProp(p, { lr: 0.01 }));
    expect(adagrad).toBeLessThan(0.01 * 0.011); // lr/√t = 1e-4 at t = 10⁴
    expect(rmsprop).toBeGreaterThan(0.01 * 0.99); // lr·g/√(g²) = lr
  });

  it("Adam's first step moves every coordinate by about lr with bias correction, whatever the gradient's scale", () => {
    const grads = [1e-3, 0.5, 40, -7];
    const first = (biasCorrection: boolean) => {
      const p: Parameter = {
        value: tensor([0, 0, 0, 0], { dtype: "float64" }),
        grad: tensor(grads, { dtype: "float64" }),
      };
      new Adam([p], { lr: 0.01, biasCorrection }).step();
      return Array.from(p.value.data, Math.abs);
    };
    for (const step of first(true)) expect(Math.abs(step - 0.01)).toBeLessThan(1e-6);
    // Without it, m = (1 − β1)·dx and v = (1 − β2)·dx², so the step is lr·0.1/√0.001 ≈ 3.16·lr:
    // a different size, set by β1 and β2 rather than by lr.
    for (const step of first(false)) expect(step / 0.01).toBeCloseTo(0.1 / Math.sqrt(0.001), 2);
  });
});

describe("options, groups and state", () => {
  const param = (values: number[], dtype: DType = "float64"): Parameter => ({
    value: tensor(values, { dtype }),
    grad: null,
  });

  it("refuses unknown options and bad values, naming them", () => {
    const p = [param([1])];
    expect(() => new SGD(p, { lr: 0.1, momentun: 0.9 } as never)).toThrow(
      /SGD: unknown option "momentun"; valid options are lr, weightDecay/,
    );
    expect(() => new SGD(p, { lr: -1 })).toThrow(/SGD: lr must be a number ≥ 0, got -1/);
    expect(new SGD(p, { lr: 0 }).lr).toBe(0); // as PyTorch: a schedule may end at 0
    expect(() => new SGD(p, {})).toThrow(/option "lr" is required/);
    expect(() => new Momentum(p, { lr: 0.1, momentum: 1 })).toThrow(/momentum must be a number in \[0, 1\), got 1/);
    expect(() => new Adam(p, { biasCorrection: "yes" as never })).toThrow(/biasCorrection must be true or false/);
    expect(() => new SGD([], { lr: 0.1 })).toThrow(/non-empty array/);
    expect(() => new SGD([p[0]!, p[0]!], { lr: 0.1 })).toThrow(/appears twice/);
  });

  it("parameter groups have their own hyperparameters; lr reads the first and sets all", () => {
    const a = param([1]),
      b = param([1]);
    a.grad = tensor([1], { dtype: "float64" });
    b.grad = tensor([1], { dtype: "float64" });
    const sgd = new SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
    sgd.step();
    expect(a.value.data[0]).toBeCloseTo(0.9, 15);
    expect(b.value.data[0]).toBeCloseTo(0.5, 15);
    sgd.lr = 0.01;
    expect(sgd.paramGroups.map((g) => g.options.lr)).toEqual([0.01, 0.01]);
  });

  it("skips a parameter whose grad is null; zeroGrad clears gradients", () => {
    const a = param([1]),
      b = param([1]);
    a.grad = tensor([1], { dtype: "float64" });
    const opt = new Adam([a, b], { lr: 0.1 });
    opt.step();
    expect(b.value.data[0]).toBe(1);
    expect(a.value.data[0]).not.toBe(1);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
  });

  it("weightDecay adds λ·x to the gradient", () => {
    const p = param([2]);
    p.grad = tensor([0], { dtype: "float64" });
    new SGD([p], { lr: 0.1, weightDecay: 0.5 }).step();
    expect(p.value.data[0]).toBeCloseTo(2 - 0.1 * 0.5 * 2, 15);
  });

  it("a gradient of another dtype or size is an error", () => {
    const p = param([1, 2]);
    p.grad = tensor([1, 2]);
    expect(() => new SGD([p], { lr: 0.1 }).step()).toThrow(/float32 for a parameter of \[2\] float64/);
  });

  const makers: [string, (p: Parameter[]) => Optimizer][] = [
    ["SGD", (p) => new SGD(p, { lr: 0.05, weightDecay: 1e-3 })],
    ["Momentum", (p) => new Momentum(p, { lr: 0.05 })],
    ["Nesterov", (p) => new Nesterov(p, { lr: 0.05 })],
    ["AdaGrad", (p) => new AdaGrad(p, { lr: 0.05 })],
    ["RMSProp", (p) => new RMSProp(p, { lr: 0.05 })],
    ["Adam", (p) => new Adam(p, { lr: 0.05, amsgrad: true })],
    ["AdamW", (p) => new AdamW(p, { lr: 0.05 })],
    ["Adadelta", (p) => new Adadelta(p, {})],
    ["Adamax", (p) => new Adamax(p, {})],
    ["LBFGS", (p) => new LBFGS(p, { maxIterations: 2 })],
    ["LBFGS strong_wolfe", (p) => new LBFGS(p, { maxIterations: 2, lineSearchFn: "strong_wolfe" })],
    ["Momentum form pytorch", (p) => new Momentum(p, { lr: 0.05, form: "pytorch", dampening: 0.1 })],
    ["RMSProp centered momentum", (p) => new RMSProp(p, { lr: 0.01, centered: true, momentum: 0.5 })],
    ["AdaGrad lrDecay", (p) => new AdaGrad(p, { lr: 0.05, lrDecay: 0.1, initialAccumulatorValue: 0.1 })],
    ["NAdam", (p) => new NAdam(p, {})],
    ["RAdam", (p) => new RAdam(p, {})],
    ["Rprop", (p) => new Rprop(p, {})],
    ["ASGD", (p) => new ASGD(p, { t0: 5 })],
    ["Lion", (p) => new Lion(p, { weightDecay: 0.1 })],
  ];

  it.each(makers)(
    "%s: 10 steps, save to JSON, load into a fresh optimizer, 10 more = 20 uninterrupted, bit for bit",
    (_, make) => {
      const fresh = () => [param([0.3, -1.2, 2.5], "float32"), param([1, 2], "float32")];
      // A deterministic, varying gradient: ∇ of Σ (i+1)·x⁴/4 + sin-like noise from a seeded stream.
      const drive = (params: Parameter[], optimizer: Optimizer, from: number, to: number) => {
        for (let t = from; t < to; t++) {
          const rng = new Rng(`grad-${t}`);
          const closure = () => {
            let loss = 0;
            params.forEach((p, k) => {
              const g = new Float32Array(p.value.size);
              for (let i = 0; i < g.length; i++) {
                const x = p.value.data[i]!;
                g[i] = (k + 1) * x * x * x + 0.01 * rng.normal();
                loss += ((k + 1) * x ** 4) / 4;
              }
              p.grad = tensor(g, { shape: p.value.shape });
            });
            return loss;
          };
          if (optimizer instanceof LBFGS) optimizer.step(closure);
          else {
            closure();
            optimizer.step();
          }
        }
      };
      const straight = fresh();
      const reference = make(straight);
      drive(straight, reference, 0, 20);

      const first = fresh();
      const before = make(first);
      drive(first, before, 0, 10);
      const saved = JSON.stringify(before.stateDict());
      const resumedParams = first.map((p) => param(Array.from(p.value.data), "float32"));
      const resumed = make(resumedParams);
      resumed.loadStateDict(JSON.parse(saved));
      drive(resumedParams, resumed, 10, 20);
      resumedParams.forEach((p, k) => {
        expect(Array.from(p.value.data)).toEqual(Array.from(straight[k]!.value.data));
      });
      expect(JSON.stringify(resumed.stateDict())).toBe(JSON.stringify(reference.stateDict()));
    },
  );

  it("loading a state whose shapes, dtypes or optimizer changed is an error that says which", () => {
    const p = param([1, 2]);
    p.grad = tensor([1, 1], { dtype: "float64" });
    const adam = new Adam([p], {});
    adam.step();
    const dict = adam.stateDict();
    expect(() => new Adam([param([1, 2, 3])], {}).loadStateDict(dict)).toThrow(
      /parameter 0 has shape \[3\], the state was saved for \[2\]/,
    );
    expect(() => new Adam([param([1, 2], "float32")], {}).loadStateDict(dict)).toThrow(
      /parameter 0's m is float64, the parameter float32/,
    );
    expect(() => new SGD([param([1, 2])], { lr: 1 }).loadStateDict(dict)).toThrow(/saved by Adam, not SGD/);
  });
});
