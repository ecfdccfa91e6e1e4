// A small convnet built from @slope/nn layers (Conv2d → BatchNorm2d → ReLU → MaxPool2d → Flatten → Linear),
// created in float32, converted with to("float64") and gradient-checked through the Module API against
// numerical differentiation: every parameter and the input, in training mode (batch statistics) and in eval
// mode (running statistics). The inputs are chosen so that no pre-ReLU value is within 1e-3 of the kink
// and no pooling window has a near tie, so the function is smooth within h of the point: rel error < 1e-7.
import {
  type Var,
  backward,
  constant,
  mean,
  mul,
  noGrad,
  numericalGradient,
  param,
  relError,
  sum,
} from "@slope/autograd";
import { Rng, type Tensor, randn } from "@slope/core";
import { BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d, type Module, ReLU, Sequential } from "@slope/nn";
import { describe, expect, it } from "vitest";

const SMOOTH = 1e-7;

function build(seed: number): Sequential {
  const rng = new Rng(seed);
  return new Sequential(
    new Conv2d(2, 3, 3, { padding: 1, rng }),
    new BatchNorm2d(3),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(27, 4, { rng }),
  );
}

/** The smallest |pre-ReLU value| and the smallest gap between the two largest values of a pooling window. */
function distanceToKinks(net: Sequential, x: Var): { relu: number; pool: number } {
  return noGrad(() => {
    const pre = net[1]!.forward(net[0]!.forward(x)).value;
    let relu = Infinity;
    for (let i = 0; i < pre.size; i++) relu = Math.min(relu, Math.abs(pre.data[i]!));
    const [n, c, h, w] = pre.shape as [number, number, number, number];
    let pool = Infinity;
    for (let plane = 0; plane < n * c; plane++) {
      for (let i = 0; i < h; i += 2) {
        for (let j = 0; j < w; j += 2) {
          const window = [0, 1, 2, 3].map((k) =>
            Math.max(0, pre.data[plane * h * w + (i + (k >> 1)) * w + j + (k & 1)]!),
          );
          window.sort((a, b) => b - a);
          if (window[0]! > 0) pool = Math.min(pool, window[0]! - window[1]!);
        }
      }
    }
    return { relu, pool };
  });
}

/**
 * Analytic gradients (backward through the module) against central differences, per parameter and for x.
 * A gradient that is zero by construction (the conv bias before a training-mode BatchNorm, which
 * subtracts the batch mean; analytically ~1e-17 of rounding) is reported as its largest absolute
 * numerical value instead, where a relative error would compare two roundings.
 */
function checkModule(net: Module, x: Var, weights: Tensor): Map<string, number> {
  const loss = () => sum(mul(net.forward(x), weights));
  net.zeroGrad();
  x.zeroGrad();
  backward(loss());
  const errors = new Map<string, number>();
  for (const [name, p] of [...net.namedParameters(), ["input", x] as [string, Var]]) {
    const numerical = numericalGradient(() => noGrad(() => loss().item()), p.value);
    const analytic = p.grad!;
    const largest = (t: Tensor) => Array.from(t.data).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    errors.set(name, largest(analytic) < 1e-10 ? largest(numerical) : relError(analytic, numerical));
  }
  return errors;
}

describe("a small convnet through to('float64')", () => {
  const net = build(3);
  net.to("float64");
  const rng = new Rng("convnet-gradcheck");
  const x = param(randn([2, 2, 6, 6], { rng, dtype: "float64" }));
  const weights = randn([2, 4], { rng, dtype: "float64" });

  it("is float64 everywhere after to() and has its inputs away from the ReLU and max-pool kinks", () => {
    expect(net.parameters().every((p) => p.dtype === "float64")).toBe(true);
    expect(net.namedBuffers().every(([, t]) => t.dtype === "float64")).toBe(true);
    const { relu, pool } = distanceToKinks(net, x);
    expect(relu).toBeGreaterThan(1e-3);
    expect(pool).toBeGreaterThan(1e-3);
  });

  it("has every parameter's and the input's gradient right in training mode (rel error < 1e-7)", () => {
    net.train();
    const errors = checkModule(net, x, weights);
    const convBias = (net[0] as Conv2d).bias!.grad!; // the bias cancels in the batch mean
    for (let i = 0; i < convBias.size; i++) expect(Math.abs(convBias.data[i]!)).toBeLessThan(1e-10);
    for (const [name, error] of errors) expect(error, name).toBeLessThan(SMOOTH);
  });

  it("has every gradient right in eval mode, with running statistics (rel error < 1e-7)", () => {
    net.eval();
    const bn = net[1] as BatchNorm2d;
    bn.runningMean!.data.set([0.1, -0.2, 0.05]);
    bn.runningVar!.data.set([0.8, 1.3, 1.1]);
    const { relu, pool } = distanceToKinks(net, x);
    expect(relu).toBeGreaterThan(1e-3);
    expect(pool).toBeGreaterThan(1e-3);
    for (const [name, error] of checkModule(net, x, weights)) expect(error, name).toBeLessThan(SMOOTH);
    expect(mean(constant(bn.runningVar!)).item()).toBeCloseTo(16 / 15, 12);
  });
});
