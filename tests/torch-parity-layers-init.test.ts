// @slope/nn's layers and initializers against PyTorch 1.13 (tests/fixtures/torch/*.json, made by
// scripts/fixtures/torch_nn_fixtures.py):
// - default initialisation: each layer's parameters and buffers have PyTorch's shapes and distributions
//   (the bounds of reset_parameters, the constants), and each init function draws from PyTorch's formula —
//   checked on the exact formula values with a statistical tolerance of 6 standard errors, which PyTorch's
//   own draws (recorded in the fixture) pass too;
// - calculateGain: PyTorch's values to the last bit;
// - the layer modules give the functional fixtures' outputs and gradients (options passed through, buffers
//   updated): Conv2d, the pools, BatchNorm1d/2d over two training steps, LayerNorm and the activations.
import { type Var, param } from "@slope/autograd";
import { type DType, Rng, type Tensor, zeros } from "@slope/core";
import * as nn from "@slope/nn";
import { describe, expect, it } from "vitest";
import { type JsonTensor, expectClose, exported, loadFixture, toTensor } from "./fixtures/torch/parity.js";

const RTOL = 1e-10;
/** Standard errors allowed between a sample statistic and its expectation: a false failure has odds ~1e-9. */
const SIGMAS = 6;

type Expected =
  | { dist: "uniform"; low: number; high: number; mean: number; std: number }
  | { dist: "normal"; mean: number; std: number }
  | { dist: "constant"; value: number };
interface Stats {
  n: number;
  mean: number;
  std: number;
  min: number;
  max: number;
}
interface LayerEntry {
  layer: string;
  args: unknown[];
  options: Record<string, unknown>;
  tensors: Record<string, { shape: number[]; expected: Expected; torch: Stats }>;
}
interface InitEntry {
  fn: string;
  shape: number[];
  options: Record<string, unknown>;
  torchCall: string;
  fanIn: number;
  fanOut: number;
  expected: Expected;
  torch: Stats;
}
const fixture = loadFixture<{
  layers: LayerEntry[];
  init: InitEntry[];
  calculateGain: { nonlinearity: string; param: number | null; value: number }[];
}>("init.json");

function statsOf(t: Tensor): Stats {
  const n = t.size;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = t.data[i]!;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (t.data[i]! - mean) ** 2;
  return { n, mean, std: Math.sqrt(squares / n), min, max };
}

/**
 * Problems of sample statistics `s` against the distribution `e` (empty when they fit):
 * uniform: every value in [low, high], the smallest within 20·(high − low)/n of low and the largest of high
 * (each fails with probability e⁻²⁰, so the bound itself is pinned), mean within 6σ/√n, standard deviation
 * within 6·σ·√(0.2/n) (the standard error of a uniform sample's std); normal: mean within 6σ/√n, std within
 * 6·σ·√(0.5/n); constant: min = max = value.
 */
function misfits(s: Stats, e: Expected): string[] {
  const out: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) out.push(what);
  };
  if (e.dist === "constant") {
    check(s.min === e.value && s.max === e.value, `values in [${s.min}, ${s.max}], expected all ${e.value}`);
    return out;
  }
  const n = s.n;
  check(Math.abs(s.mean - e.mean) <= (SIGMAS * e.std) / Math.sqrt(n), `mean ${s.mean}, expected ${e.mean} (n = ${n})`);
  const stdError = e.std * Math.sqrt((e.dist === "uniform" ? 0.2 : 0.5) / n);
  check(Math.abs(s.std - e.std) <= SIGMAS * stdError, `std ${s.std}, expected ${e.std} (n = ${n})`);
  if (e.dist === "uniform") {
    const slack = (20 * (e.high - e.low)) / n;
    check(s.min >= e.low && s.max <= e.high, `values in [${s.min}, ${s.max}], outside U(${e.low}, ${e.high})`);
    check(s.min <= e.low + slack, `smallest value ${s.min} not near the lower bound ${e.low} (n = ${n})`);
    check(s.max >= e.high - slack, `largest value ${s.max} not near the upper bound ${e.high} (n = ${n})`);
  }
  return out;
}

type Constructor = new (...args: unknown[]) => nn.Module;
const layerClass = (name: string) => (nn as unknown as Record<string, Constructor>)[name]!;

describe("default initialisation of the layers matches PyTorch's reset_parameters", () => {
  fixture.layers.forEach((entry, i) => {
    const { layer, args, options, tensors } = entry;
    const shownOptions = Object.keys(options).length ? `, ${JSON.stringify(options)}` : "";
    const title = `${layer}(${args.map((a) => JSON.stringify(a)).join(", ")}${shownOptions})`;
    const names = Object.keys(tensors).join(", ");
    it.skipIf(!exported(nn, layer))(`${title}: ${names} have PyTorch's shapes and distributions`, () => {
      const rng = new Rng(`torch-parity-init-layer-${i}`);
      const module = new (layerClass(layer))(...args, { ...options, rng, dtype: "float64" as DType });
      const found = new Map<string, Tensor>([
        ...module.namedParameters().map(([k, v]) => [k, v.value] as [string, Tensor]),
        ...module.namedBuffers(),
      ]);
      expect([...found.keys()].sort(), `${title}: parameter and buffer names`).toEqual(Object.keys(tensors).sort());
      for (const [name, { shape, expected, torch }] of Object.entries(tensors)) {
        const t = found.get(name)!;
        // num_batches_tracked is a 0-d int64 in PyTorch; Slope may keep the one count as [] or [1].
        if (shape.length === 0) expect(t.size, `${title}.${name}: size`).toBe(1);
        else expect([...t.shape], `${title}.${name}: shape`).toEqual(shape);
        expect(misfits(torch, expected), `${title}.${name}: PyTorch's own draw fits the test's model`).toEqual([]);
        expect(misfits(statsOf(t), expected), `${title}.${name}: Slope's values`).toEqual([]);
      }
    });
  });
});

describe.skipIf(!exported(nn, "calculateGain"))("calculateGain", () => {
  it("gives PyTorch's gain for every nonlinearity (and leaky_relu's slope) to the last bit", () => {
    for (const { nonlinearity, param: p, value } of fixture.calculateGain) {
      const gain = p === null ? nn.calculateGain(nonlinearity as never) : nn.calculateGain(nonlinearity as never, p);
      expect(Math.abs(gain - value), `${nonlinearity}(${p}): ${gain} vs PyTorch's ${value}`).toBeLessThanOrEqual(
        Math.abs(value) * Number.EPSILON,
      );
    }
  });
});

describe("init functions draw from PyTorch's distributions", () => {
  type InitFunction = (t: Tensor, options: Record<string, unknown>) => Tensor;
  fixture.init.forEach((entry, i) => {
    const { fn, shape, options, torchCall, expected, torch } = entry;
    const e = expected;
    const what =
      e.dist === "uniform" ? `U(${e.low}, ${e.high})` : e.dist === "normal" ? `N(${e.mean}, ${e.std}²)` : "a constant";
    const title = `${fn}(${JSON.stringify(shape)}, ${JSON.stringify(options)}) draws ${what} as ${torchCall}`;
    it.skipIf(!exported(nn.init ?? {}, fn))(title, () => {
      const t = zeros(shape, { dtype: "float64" });
      const init = (nn.init as unknown as Record<string, InitFunction>)[fn]!;
      const out = init(t, { ...options, rng: new Rng(`torch-parity-init-fn-${i}`) });
      expect(out, "the init functions fill their argument in place and return it").toBe(t);
      expect(misfits(torch, expected), `${torchCall}: PyTorch's own draw fits the test's model`).toEqual([]);
      expect(misfits(statsOf(t), expected), `${fn} ${JSON.stringify(options)}: Slope's values`).toEqual([]);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The layer modules on the functional fixtures

interface OpCase {
  name: string;
  op: string;
  options: Record<string, unknown>;
  inputs: Record<string, JsonTensor>;
  output: JsonTensor;
  seed: JsonTensor;
  grads: Record<string, JsonTensor>;
}

/** Copies a fixture tensor into a parameter's or buffer's storage (same shape), as loading weights would. */
function assign(target: Var | Tensor | null, source: JsonTensor | null): void {
  if (target === null || source === null) return;
  const t = "value" in target ? target.value : target;
  expect([...t.shape]).toEqual(source.shape);
  t.data.set(toTensor(source).data);
}

/** Runs a module on the case's x and compares the output and the gradients of x and of the named parameters. */
function checkModule(module: nn.Module, c: OpCase, params: Record<string, Var | null> = {}): void {
  const x = param(toTensor(c.inputs.x!));
  const y = module.forward(x);
  expectClose(y.value, c.output, RTOL, `${c.name}: output`);
  y.backward(toTensor(c.seed));
  expectClose(x.grad, c.grads.x!, RTOL, `${c.name}: ∂/∂x`);
  for (const [k, p] of Object.entries(params)) if (p) expectClose(p.grad, c.grads[k]!, RTOL, `${c.name}: ∂/∂${k}`);
}

const moduleCases: [file: string, op: string, layer: string, make: (c: OpCase) => nn.Module][] = [
  [
    "conv.json",
    "conv2d",
    "Conv2d",
    (c) => {
      const w = c.inputs.weight!.shape;
      const groups = (c.options.groups as number | undefined) ?? 1;
      const conv = new nn.Conv2d(w[1]! * groups, w[0]!, [w[2]!, w[3]!], {
        ...c.options,
        bias: c.inputs.bias !== undefined,
        dtype: "float64",
      });
      assign(conv.weight, c.inputs.weight!);
      assign(conv.bias, c.inputs.bias ?? null);
      return conv;
    },
  ],
  [
    "pool.json",
    "maxPool2d",
    "MaxPool2d",
    ({ options: { kernelSize, ...rest } }) => new nn.MaxPool2d(kernelSize as never, rest),
  ],
  [
    "pool.json",
    "avgPool2d",
    "AvgPool2d",
    ({ options: { kernelSize, ...rest } }) => new nn.AvgPool2d(kernelSize as never, rest),
  ],
  [
    "pool.json",
    "adaptiveAvgPool2d",
    "AdaptiveAvgPool2d",
    (c) => new nn.AdaptiveAvgPool2d(c.options.outputSize as never),
  ],
  ["ops.json", "leakyRelu", "LeakyReLU", (c) => new nn.LeakyReLU(c.options.negativeSlope as number | undefined)],
  ["ops.json", "elu", "ELU", (c) => new nn.ELU(c.options.alpha as number | undefined)],
  ["ops.json", "gelu", "GELU", (c) => new nn.GELU(c.options as never)],
  ["ops.json", "silu", "SiLU", () => new nn.SiLU()],
  ["ops.json", "softplus", "Softplus", (c) => new nn.Softplus(c.options as never)],
  ["ops.json", "softmax", "Softmax", (c) => new nn.Softmax(c.options.axis as number)],
  ["ops.json", "logSoftmax", "LogSoftmax", (c) => new nn.LogSoftmax(c.options.axis as number)],
];

for (const [file, op, layer, make] of moduleCases) {
  const missing = exported(nn, layer) ? "" : ` — skipped: @slope/nn does not export ${layer}`;
  describe.skipIf(!exported(nn, layer))(`${layer} module on the ${op} fixtures (${file})${missing}`, () => {
    for (const c of loadFixture<{ cases: OpCase[] }>(file).cases.filter((c) => c.op === op)) {
      // gelu's exact form: 1e-8, for the cancellation in 1 + erf(x/√2) explained in torch-parity-ops.test.ts.
      const rtol = op === "gelu" && c.options.approximate === "none" ? 1e-8 : RTOL;
      it(`${c.name}: output and gradients match PyTorch's`, () => {
        const module = make(c);
        const params: Record<string, Var | null> =
          module instanceof nn.Conv2d ? { weight: module.weight, bias: module.bias } : {};
        if (rtol === RTOL) checkModule(module, c, params);
        else {
          const x = param(toTensor(c.inputs.x!));
          const y = module.forward(x);
          expectClose(y.value, c.output, rtol, `${c.name}: output`);
          y.backward(toTensor(c.seed));
          expectClose(x.grad, c.grads.x!, rtol, `${c.name}: ∂/∂x`);
        }
      });
    }
  });
}

interface BatchNormCase {
  name: string;
  options: { training: boolean; momentum?: number; eps?: number };
  weight: JsonTensor | null;
  bias: JsonTensor | null;
  runningMean: JsonTensor | null;
  runningVar: JsonTensor | null;
  steps: {
    x: JsonTensor;
    output: JsonTensor;
    seed: JsonTensor;
    grads: Record<string, JsonTensor>;
    runningMean: JsonTensor | null;
    runningVar: JsonTensor | null;
  }[];
}
const norm = loadFixture<{ batchNorm: BatchNormCase[]; layerNorm: OpCase[] }>("norm.json");

const batchNormLayers = exported(nn, "BatchNorm1d", "BatchNorm2d");
describe.skipIf(!batchNormLayers)("BatchNorm1d / BatchNorm2d modules on the batchNorm fixtures", () => {
  for (const c of norm.batchNorm) {
    const rank = c.steps[0]!.x.shape.length;
    const layer = rank === 4 ? "BatchNorm2d" : "BatchNorm1d";
    const mode = c.options.training ? "train()" : "eval()";
    const what = "outputs, gradients, running_mean/running_var and num_batches_tracked match";
    it(`${layer} in ${mode}, ${c.name}: ${what}`, () => {
      const C = c.steps[0]!.x.shape[1]!;
      const Layer = layer === "BatchNorm2d" ? nn.BatchNorm2d : nn.BatchNorm1d;
      const bn = new Layer(C, {
        ...(c.options.momentum === undefined ? {} : { momentum: c.options.momentum }),
        ...(c.options.eps === undefined ? {} : { eps: c.options.eps }),
        affine: c.weight !== null,
        trackRunningStats: c.runningMean !== null,
        dtype: "float64",
      });
      bn.train(c.options.training);
      assign(bn.weight, c.weight);
      assign(bn.bias, c.bias);
      const buffers = new Map(bn.namedBuffers());
      assign(buffers.get("running_mean") ?? null, c.runningMean);
      assign(buffers.get("running_var") ?? null, c.runningVar);
      c.steps.forEach((step, i) => {
        bn.zeroGrad();
        const label = `${c.name}, step ${i + 1}`;
        const x = param(toTensor(step.x));
        const y = bn.forward(x);
        expectClose(y.value, step.output, RTOL, `${label}: output`);
        const [mean, variance] = [buffers.get("running_mean"), buffers.get("running_var")];
        if (step.runningMean) expectClose(mean, step.runningMean, RTOL, `${label}: running_mean`);
        if (step.runningVar) expectClose(variance, step.runningVar, RTOL, `${label}: running_var`);
        if (c.runningMean !== null) {
          const count = buffers.get("num_batches_tracked")!.data[0];
          expect(count, `${label}: num_batches_tracked`).toBe(c.options.training ? i + 1 : 0);
        }
        y.backward(toTensor(step.seed));
        expectClose(x.grad, step.grads.x!, RTOL, `${label}: ∂/∂x`);
        if (bn.weight) expectClose(bn.weight.grad, step.grads.weight!, RTOL, `${label}: ∂/∂weight`);
        if (bn.bias) expectClose(bn.bias.grad, step.grads.bias!, RTOL, `${label}: ∂/∂bias`);
      });
    });
  }
});

describe.skipIf(!exported(nn, "LayerNorm"))("LayerNorm module on the layerNorm fixtures", () => {
  for (const c of norm.layerNorm) {
    it(`${c.name}: output and gradients of x, weight and bias match PyTorch's`, () => {
      const { normalizedShape, ...rest } = c.options;
      const ln = new nn.LayerNorm(normalizedShape as number[], {
        ...rest,
        elementwiseAffine: c.inputs.weight !== undefined,
        dtype: "float64",
      });
      assign(ln.weight, c.inputs.weight ?? null);
      assign(ln.bias, c.inputs.bias ?? null);
      checkModule(ln, c, { weight: ln.weight, bias: ln.bias });
    });
  }
});
