// The new ops of @slope/autograd against PyTorch 1.13: values and the gradients of sum(output · seed) with
// respect to every input, in float64, from the fixtures of scripts/fixtures/torch_nn_fixtures.py
// (tests/fixtures/torch/{ops,conv,pool,norm}.json). Relative error below 1e-10 unless a case says why not.
import * as ag from "@slope/autograd";
import { type Var, param } from "@slope/autograd";
import type { Tensor } from "@slope/core";
import { describe, expect, it } from "vitest";
import { type JsonTensor, expectClose, exported, loadFixture, toNumber, toTensor } from "./fixtures/torch/parity.js";

const RTOL = 1e-10;
/**
 * gelu's exact form is x·(1 + erf(x/√2))/2: for x ≤ −3, 1 + erf(x/√2) is a difference of nearly equal numbers
 * (1 − 0.9973… and down to 1 − (1 − 2e-9) at x = −6), so an ulp of difference between two correct erf
 * implementations becomes up to ~1e-9 relative in the result. PyTorch computes it the same way, so 1e-8.
 */
const RTOL_GELU_EXACT = 1e-8;

interface OpCase {
  name: string;
  op: string;
  options: Record<string, unknown>;
  inputs: Record<string, JsonTensor>;
  output: JsonTensor;
  seed: JsonTensor;
  grads: Record<string, JsonTensor>;
}

/** Options without the keys a case left out (so Slope's defaults apply), infinities as numbers. */
function defined(options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) if (v !== undefined) out[k] = k === "p" ? toNumber(v as number) : v;
  return out;
}

type Call = (inputs: Record<string, Var>, options: Record<string, unknown>) => Var;
const o = (options: Record<string, unknown>, key: string) => options[key] as never;

const calls: Record<string, Call> = {
  leakyRelu: ({ x }, opts) => ag.leakyRelu(x!, o(opts, "negativeSlope")),
  elu: ({ x }, opts) => ag.elu(x!, o(opts, "alpha")),
  gelu: ({ x }, opts) => ag.gelu(x!, opts as never),
  silu: ({ x }) => ag.silu(x!),
  softplus: ({ x }, opts) => ag.softplus(x!, opts as never),
  softmax: ({ x }, opts) => ag.softmax(x!, o(opts, "axis")),
  logSoftmax: ({ x }, opts) => ag.logSoftmax(x!, o(opts, "axis")),
  erf: ({ x }) => ag.erf(x!),
  log1p: ({ x }) => ag.log1p(x!),
  expm1: ({ x }) => ag.expm1(x!),
  sin: ({ x }) => ag.sin(x!),
  cos: ({ x }) => ag.cos(x!),
  logSumExp: ({ x }, opts) => ag.logSumExp(x!, o(opts, "axis"), (opts.keepDims as boolean | undefined) ?? false),
  variance: ({ x }, { axis, ...rest }) => ag.variance(x!, axis as never, rest),
  std: ({ x }, { axis, ...rest }) => ag.std(x!, axis as never, rest),
  norm: ({ x }, opts) => ag.norm(x!, opts as never),
  conv2d: ({ x, weight, bias }, opts) => ag.conv2d(x!, weight!, bias ?? null, opts as never),
  maxPool2d: ({ x }, opts) => ag.maxPool2d(x!, opts as never),
  avgPool2d: ({ x }, opts) => ag.avgPool2d(x!, opts as never),
  adaptiveAvgPool2d: ({ x }, opts) => ag.adaptiveAvgPool2d(x!, o(opts, "outputSize")),
  layerNorm: ({ x, weight, bias }, { normalizedShape, ...rest }) =>
    ag.layerNorm(x!, normalizedShape as number[], weight ?? null, bias ?? null, rest),
};

/** Runs a case: output and every input's gradient of sum(output · seed), against PyTorch's. */
function checkCase(c: OpCase, rtol: number): void {
  const inputs: Record<string, Var> = {};
  for (const [k, t] of Object.entries(c.inputs)) inputs[k] = param(toTensor(t));
  const y = calls[c.op]!(inputs, defined(c.options));
  expectClose(y.value, c.output, rtol, `${c.name}: output`);
  y.backward(toTensor(c.seed));
  for (const [k, g] of Object.entries(c.grads)) expectClose(inputs[k]!.grad, g, rtol, `${c.name}: ∂/∂${k}`);
}

/** A note for the name of a block that is skipped because the op is not there (yet). */
const missing = (op: string) => (exported(ag, op) ? "" : ` — skipped: @slope/autograd does not export ${op}`);

function describeCases(file: string, cases: readonly OpCase[]): void {
  const ops = [...new Set(cases.map((c) => c.op))];
  for (const op of ops) {
    describe.skipIf(!exported(ag, op))(`${op} (${file})${missing(op)}`, () => {
      for (const c of cases.filter((c) => c.op === op)) {
        const rtol = op === "gelu" && c.options.approximate === "none" ? RTOL_GELU_EXACT : RTOL;
        it(`${c.name}: output and input gradients match PyTorch's within ${rtol}`, () => checkCase(c, rtol));
      }
    });
  }
}

describeCases("ops.json", loadFixture<{ cases: OpCase[] }>("ops.json").cases);
describeCases("conv.json", loadFixture<{ cases: OpCase[] }>("conv.json").cases);
describeCases("pool.json", loadFixture<{ cases: OpCase[] }>("pool.json").cases);

interface BatchNormStep {
  x: JsonTensor;
  output: JsonTensor;
  seed: JsonTensor;
  grads: Record<string, JsonTensor>;
  runningMean: JsonTensor | null;
  runningVar: JsonTensor | null;
}
interface BatchNormCase {
  name: string;
  options: { training: boolean; momentum?: number; eps?: number };
  weight: JsonTensor | null;
  bias: JsonTensor | null;
  runningMean: JsonTensor | null;
  runningVar: JsonTensor | null;
  steps: BatchNormStep[];
}
const norm = loadFixture<{ batchNorm: BatchNormCase[]; layerNorm: OpCase[] }>("norm.json");

describe.skipIf(!exported(ag, "batchNorm"))(`batchNorm (norm.json)${missing("batchNorm")}`, () => {
  for (const c of norm.batchNorm) {
    const what = c.options.training
      ? `output, gradients of x, weight and bias, and the running statistics after each of ${c.steps.length} step(s)`
      : "output and gradients of x, weight and bias with the given running statistics, which stay unchanged";
    it(`${c.name}: ${what} match PyTorch's within ${RTOL}`, () => {
      // The running tensors are updated in place by every training step, as F.batch_norm's.
      const runningMean: Tensor | null = c.runningMean && toTensor(c.runningMean);
      const runningVar: Tensor | null = c.runningVar && toTensor(c.runningVar);
      c.steps.forEach((step, i) => {
        // Fresh parameters each step, so that each step's gradients are its own.
        const weight = c.weight && param(toTensor(c.weight));
        const bias = c.bias && param(toTensor(c.bias));
        const x = param(toTensor(step.x));
        const y = ag.batchNorm(x, runningMean, runningVar, weight, bias, c.options);
        const label = `${c.name}, step ${i + 1}`;
        expectClose(y.value, step.output, RTOL, `${label}: output`);
        if (step.runningMean) expectClose(runningMean, step.runningMean, RTOL, `${label}: runningMean`);
        if (step.runningVar) expectClose(runningVar, step.runningVar, RTOL, `${label}: runningVar`);
        y.backward(toTensor(step.seed));
        expectClose(x.grad, step.grads.x!, RTOL, `${label}: ∂/∂x`);
        if (weight) expectClose(weight.grad, step.grads.weight!, RTOL, `${label}: ∂/∂weight`);
        if (bias) expectClose(bias.grad, step.grads.bias!, RTOL, `${label}: ∂/∂bias`);
      });
      expect(c.steps.length).toBeGreaterThan(0);
    });
  }
});

describeCases("norm.json", norm.layerNorm);
