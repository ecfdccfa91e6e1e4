// Every differentiable op and node of @slope/autograd against the numerical gradient, in float64,
// on random inputs including broadcast shapes: relative error below 1e-7 for smooth ops and below
// 1e-4 at kinks (hinge, ReLU, max, abs).
import * as ag from "@slope/autograd";
import { type Var, gradCheck } from "@slope/autograd";
import { Rng, type Tensor, greater, rand, randn } from "@slope/core";
import { describe, expect, it } from "vitest";

const SMOOTH = 1e-7;
const KINK = 1e-4;
const rng = new Rng("cross-package-gradients");
const normal = (...shape: number[]) => randn(shape, { rng, dtype: "float64" });
const positive = (...shape: number[]) => rand(shape, { rng, low: 0.5, high: 2, dtype: "float64" });
/** Values at least 0.05 away from 0, so that a kink at 0 is never within h of a coordinate. */
const awayFromZero = (...shape: number[]) => {
  const t = rand(shape, { rng, low: 0.05, high: 1.5, dtype: "float64" });
  for (let i = 0; i < t.size; i++) if (rng.uniform() < 0.5) t.data[i] = -t.data[i]!;
  return t;
};
/** A weighted sum, so every output element gets a different upstream gradient. */
const weights = new Map<string, Tensor>();
function reduce(name: string, y: Var): Var {
  const key = `${name}:${y.shape.join("x")}`;
  if (!weights.has(key)) weights.set(key, normal(...y.shape));
  return ag.sum(ag.mul(y, weights.get(key)!));
}

type Case = [name: string, f: (...xs: Var[]) => Var, inputs: () => Tensor[], tol: number];
const labels = [2, 0, 3, 1, 3];
const scale3 = normal(1, 1, 3);
const mask = greater(rand([3, 4], { rng, dtype: "float64" }), 0.5);

const cases: Case[] = [
  ["add [3,1] + [1,4]", (a, b) => ag.add(a!, b!), () => [normal(3, 1), normal(1, 4)], SMOOTH],
  ["add [2,3,4] + [4]", (a, b) => ag.add(a!, b!), () => [normal(2, 3, 4), normal(4)], SMOOTH],
  ["sub [2,3] − [3]", (a, b) => ag.sub(a!, b!), () => [normal(2, 3), normal(3)], SMOOTH],
  ["mul [2,3,4] · [3,1]", (a, b) => ag.mul(a!, b!), () => [normal(2, 3, 4), normal(3, 1)], SMOOTH],
  ["div [3,4] / [4]", (a, b) => ag.div(a!, b!), () => [normal(3, 4), positive(4)], SMOOTH],
  ["pow [3,3] ^ [3]", (a, b) => ag.pow(a!, b!), () => [positive(3, 3), normal(3)], SMOOTH],
  ["neg", (a) => ag.neg(a!), () => [normal(4)], SMOOTH],
  ["exp", (a) => ag.exp(a!), () => [normal(3, 2)], SMOOTH],
  ["reciprocal", (a) => ag.reciprocal(a!), () => [positive(3, 2)], SMOOTH],
  ["expandDims then squeeze", (a) => ag.squeeze(ag.mul(ag.expandDims(a!, 1), scale3), 1), () => [normal(2, 3)], SMOOTH],
  ["log", (a) => ag.log(a!), () => [positive(3, 2)], SMOOTH],
  ["sqrt", (a) => ag.sqrt(a!), () => [positive(3, 2)], SMOOTH],
  ["square", (a) => ag.square(a!), () => [normal(3, 2)], SMOOTH],
  ["tanh", (a) => ag.tanh(a!), () => [normal(3, 2)], SMOOTH],
  ["sigmoid", (a) => ag.sigmoid(a!), () => [normal(3, 2)], SMOOTH],
  ["softmax", (a) => ag.softmax(a!, -1), () => [normal(3, 4)], SMOOTH],
  ["logSoftmax axis 0", (a) => ag.logSoftmax(a!, 0), () => [normal(3, 4)], SMOOTH],
  ["matmul", (a, b) => ag.matmul(a!, b!), () => [normal(3, 4), normal(4, 5)], SMOOTH],
  ["matmul Aᵀ·B", (a, b) => ag.matmul(a!, b!, { transposeA: true }), () => [normal(4, 3), normal(4, 5)], SMOOTH],
  ["matmul A·Bᵀ", (a, b) => ag.matmul(a!, b!, { transposeB: true }), () => [normal(3, 4), normal(5, 4)], SMOOTH],
  [
    "matmul Aᵀ·Bᵀ",
    (a, b) => ag.matmul(a!, b!, { transposeA: true, transposeB: true }),
    () => [normal(4, 3), normal(5, 4)],
    SMOOTH,
  ],
  [
    "matmul batched [2,3,4]·[4,2] (broadcast B)",
    (a, b) => ag.matmul(a!, b!),
    () => [normal(2, 3, 4), normal(4, 2)],
    SMOOTH,
  ],
  ["transpose [2,3,4] by [2,0,1]", (a) => ag.transpose(a!, [2, 0, 1]), () => [normal(2, 3, 4)], SMOOTH],
  ["reshape", (a) => ag.reshape(a!, [4, -1]), () => [normal(2, 3, 2)], SMOOTH],
  ["sum over [0, 2]", (a) => ag.sum(a!, [0, 2]), () => [normal(2, 3, 4)], SMOOTH],
  ["sum keepDims", (a) => ag.sum(a!, -1, true), () => [normal(3, 4)], SMOOTH],
  ["mean over 1", (a) => ag.mean(a!, 1), () => [normal(3, 4)], SMOOTH],
  ["broadcastTo", (a) => ag.broadcastTo(a!, [2, 3, 4]), () => [normal(3, 1)], SMOOTH],
  ["gather with repeats", (a) => ag.gather(a!, [2, 0, 2, 1]), () => [normal(3, 4)], SMOOTH],
  ["slice", (a) => ag.slice(a!, [1, 1], [2, -1]), () => [normal(3, 4)], SMOOTH],
  ["concat axis 1", (a, b) => ag.concat([a!, b!], 1), () => [normal(2, 3), normal(2, 2)], SMOOTH],
  ["where", (a, b) => ag.where(mask, a!, b!), () => [normal(3, 4), normal(4)], SMOOTH],
  ["linear x·W + b", (x, W, b) => ag.linear(x!, W!, b!), () => [normal(5, 4), normal(4, 3), normal(3)], SMOOTH],
  ["softmaxCrossEntropy", (s) => ag.softmaxCrossEntropy(s!, labels), () => [normal(5, 4)], SMOOTH],
  ["l2", (W) => ag.l2(W!), () => [normal(4, 3)], SMOOTH],
  [
    "full softmax loss: data + reg·l2",
    (x, W, b) => ag.add(ag.softmaxCrossEntropy(ag.linear(x!, W!, b!), labels), ag.mul(ag.l2(W!), 0.1)),
    () => [normal(5, 6), normal(6, 4), normal(4)],
    SMOOTH,
  ],
  ["svmLoss (hinge kink)", (s) => ag.svmLoss(s!, labels), () => [normal(5, 4)], KINK],
  [
    "full SVM loss: data + reg·l2",
    (x, W) => ag.add(ag.svmLoss(ag.linear(x!, W!), labels), ag.mul(ag.l2(W!), 0.1)),
    () => [normal(5, 6), normal(6, 4)],
    KINK,
  ],
  ["relu (kink)", (a) => ag.relu(a!), () => [awayFromZero(3, 4)], KINK],
  ["abs (kink)", (a) => ag.abs(a!), () => [awayFromZero(3, 4)], KINK],
  ["maximum (kink)", (a, b) => ag.maximum(a!, b!), () => [normal(3, 4), normal(4)], KINK],
  ["minimum (kink)", (a, b) => ag.minimum(a!, b!), () => [normal(3, 4), normal(3, 1)], KINK],
  ["max over axis 1 (kink)", (a) => ag.max(a!, 1), () => [normal(3, 4)], KINK],
  ["min over all (kink)", (a) => ag.min(a!), () => [normal(3, 4)], KINK],
  ["clip (kink)", (a) => ag.clip(a!, -0.5, 0.5), () => [awayFromZero(3, 4)], KINK],
];

describe("every differentiable op agrees with the numerical gradient (float64)", () => {
  it.each(cases)("%s", (name, f, inputs, tol) => {
    const result = gradCheck(
      (...xs) => {
        const y = f(...xs);
        return y.size === 1 ? y : reduce(name, y);
      },
      inputs(),
      { tol },
    );
    expect(result.maxRelError, JSON.stringify(result.worst)).toBeLessThan(tol);
    expect(result.ok).toBe(true);
  });
});
