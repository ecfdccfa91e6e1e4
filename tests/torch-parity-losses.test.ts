// Every loss of @slope/nn with every option against PyTorch 1.13's torch.nn.functional: the value and the
// gradient of sum(loss · seed) with respect to the input, in float64, relative error below 1e-10
// (tests/fixtures/torch/losses.json, made by scripts/fixtures/torch_nn_fixtures.py). Each loss's Module class
// (CrossEntropyLoss, …) must give its function's value on the same cases.
import { type Var, param } from "@slope/autograd";
import type { Tensor } from "@slope/core";
import * as nn from "@slope/nn";
import { describe, expect, it } from "vitest";
import { type JsonTensor, expectClose, exported, loadFixture, toNumbers, toTensor } from "./fixtures/torch/parity.js";

const RTOL = 1e-10;

interface LossCase {
  name: string;
  op: string;
  options: Record<string, unknown>;
  inputs: { input: JsonTensor };
  target: JsonTensor & { kind: "indices" | "tensor" };
  output: JsonTensor;
  seed: JsonTensor;
  grads: { input: JsonTensor; target?: JsonTensor };
}

const { cases } = loadFixture<{ cases: LossCase[] }>("losses.json");

/** The fixture's options with its tensors (weight, posWeight) as Slope Tensors. */
function options(c: LossCase): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c.options)) {
    out[k] = v !== null && typeof v === "object" && "shape" in v ? toTensor(v as JsonTensor) : v;
  }
  return out;
}

/** The target as the loss takes it: class indices as plain numbers, a float target as a Var (it may get a gradient). */
function target(c: LossCase): number[] | Var {
  return c.target.kind === "indices" ? toNumbers(c.target) : param(toTensor(c.target));
}

/** The elements where the expected value is finite, of both tensors, as flat tensors. */
function finiteOnly(actual: Tensor, expected: JsonTensor): { actual: Tensor; expected: JsonTensor } {
  const keep = expected.data.map((v, i) => (typeof v === "number" ? i : -1)).filter((i) => i >= 0);
  const data = keep.map((i) => expected.data[i]!);
  const kept = toTensor({ shape: [keep.length], data: keep.map((i) => actual.data[i]!) });
  return { actual: kept, expected: { shape: [keep.length], data } };
}

type LossFunction = (input: Var, target: number[] | Var, options: Record<string, unknown>) => Var;
const lossFunction = (op: string) => (nn as unknown as Record<string, LossFunction>)[op]!;

const moduleOf: Record<string, string> = {
  crossEntropy: "CrossEntropyLoss",
  nllLoss: "NLLLoss",
  mseLoss: "MSELoss",
  l1Loss: "L1Loss",
  huberLoss: "HuberLoss",
  binaryCrossEntropy: "BCELoss",
  binaryCrossEntropyWithLogits: "BCEWithLogitsLoss",
  klDiv: "KLDivLoss",
};

const ops = [...new Set(cases.map((c) => c.op))];

for (const op of ops) {
  const missing = exported(nn, op) ? "" : ` — skipped: @slope/nn does not export ${op}`;
  describe.skipIf(!exported(nn, op))(`${op} against torch.nn.functional${missing}`, () => {
    for (const c of cases.filter((c) => c.op === op)) {
      it(`${c.name}: the value and ∂/∂input match PyTorch's within ${RTOL}`, () => {
        const input = param(toTensor(c.inputs.input));
        const t = target(c);
        const loss = lossFunction(op)(input, t, options(c));
        expectClose(loss.value, c.output, RTOL, `${c.name}: value`);
        loss.backward(toTensor(c.seed));
        expectClose(input.grad, c.grads.input, RTOL, `${c.name}: ∂/∂input`);
        // PyTorch also differentiates a float target; where Slope does too, the gradient must agree — except
        // where PyTorch's is not finite: klDiv's ∂/∂t of t·log t at a zero target is log 0 + 1 − x (−∞ in
        // exact arithmetic, NaN from PyTorch's xlogy), a point where no finite answer is right or wrong.
        if (c.grads.target && !Array.isArray(t) && t.grad !== null) {
          const finite = finiteOnly(t.grad, c.grads.target);
          expectClose(finite.actual, finite.expected, RTOL, `${c.name}: ∂/∂target (finite elements)`);
        }
      });
    }
  });

  const moduleName = moduleOf[op]!;
  const moduleMissing = exported(nn, moduleName) ? "" : ` — skipped: @slope/nn does not export ${moduleName}`;
  describe.skipIf(!exported(nn, moduleName))(`${moduleName} against torch.nn.functional${moduleMissing}`, () => {
    it(`${moduleName}(options).forward(input, target) gives PyTorch's value on every ${op} case`, () => {
      type LossModule = { forward(input: Var, target: number[] | Var): Var };
      const Module = (nn as unknown as Record<string, new (o: Record<string, unknown>) => LossModule>)[moduleName]!;
      let checked = 0;
      for (const c of cases.filter((c) => c.op === op)) {
        const loss = new Module(options(c)).forward(param(toTensor(c.inputs.input)), target(c));
        expectClose(loss.value, c.output, RTOL, `${moduleName}: ${c.name}`);
        checked++;
      }
      expect(checked).toBeGreaterThan(0);
    });
  });
}

describe("losses.json covers every loss and option of the agreed API", () => {
  it("has cases for each loss, each reduction, and each option name", () => {
    const seen = new Map<string, Set<string>>();
    for (const c of cases) {
      const keys = seen.get(c.op) ?? new Set<string>();
      for (const [k, v] of Object.entries(c.options)) keys.add(k === "reduction" ? `reduction=${String(v)}` : k);
      seen.set(c.op, keys);
    }
    const reductions = ["reduction=mean", "reduction=sum", "reduction=none"];
    const want: Record<string, string[]> = {
      crossEntropy: [...reductions, "weight", "labelSmoothing", "ignoreIndex"],
      nllLoss: [...reductions, "weight", "ignoreIndex"],
      mseLoss: reductions,
      l1Loss: reductions,
      huberLoss: [...reductions, "delta"],
      binaryCrossEntropy: [...reductions, "weight"],
      binaryCrossEntropyWithLogits: [...reductions, "weight", "posWeight"],
      klDiv: [...reductions, "reduction=batchmean", "logTarget"],
    };
    for (const [op, keys] of Object.entries(want)) {
      for (const k of keys) expect(seen.get(op)?.has(k), `${op} ${k}`).toBe(true);
    }
    const probabilityTargets = cases.filter((c) => c.op === "crossEntropy" && c.target.kind === "tensor");
    expect(probabilityTargets.length).toBeGreaterThan(0);
  });
});

// A type-level reminder of what the fixtures pass: weight and posWeight are Tensors, targets numbers or Vars.
export type _LossOperands = [Tensor, number[] | Var];
