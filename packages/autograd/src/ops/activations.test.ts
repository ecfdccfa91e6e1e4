import * as core from "@slope/core";
import { describe, expect, it } from "vitest";
import { grad } from "../backward.js";
import { type Var, param } from "../var.js";
import "../methods/install-all.js"; // loss.backward() and the other methods of Var
import { elu } from "./elu.js";
import { gelu } from "./gelu.js";
import { leakyRelu } from "./leaky-relu.js";
import { silu } from "./silu.js";
import { softplus } from "./softplus.js";
import { sum } from "./sum.js";

const f64 = (values: number[]) => core.tensor(values, { dtype: "float64" });
const derivative = (f: (x: Var) => Var, values: number[]) => Array.from(grad((v) => sum(f(v)))(f64(values)).value.data);

describe("activation gradients at and around their switch points, as PyTorch defines them", () => {
  it("leakyRelu has slope negativeSlope at 0 and below, 1 above", () => {
    const x = param(f64([-1, 0, 2]));
    sum(leakyRelu(x, 0.1)).backward();
    expect(Array.from(x.grad!.data)).toEqual([0.1, 0.1, 1]);
  });

  it("elu has slope α·eˣ at 0 and below, 1 above", () => {
    const x = param(f64([-1, 0, 2]));
    sum(elu(x, 2)).backward();
    expect(Array.from(x.grad!.data)).toEqual([2 * Math.exp(-1), 2, 1]);
  });

  it("softplus has slope σ(βx) up to the threshold and 1 above it", () => {
    const x = param(f64([0, 10, 11]));
    sum(softplus(x, { beta: 2, threshold: 20 })).backward();
    expect(Array.from(x.grad!.data)).toEqual([0.5, 1 / (1 + Math.exp(-20)), 1]);
  });

  it("gelu's slope at 0 is ½ in both forms, and silu's is ½", () => {
    expect(derivative((x) => gelu(x), [0])).toEqual([0.5]);
    expect(derivative((x) => gelu(x, { approximate: "tanh" }), [0])).toEqual([0.5]);
    expect(derivative(silu, [0])).toEqual([0.5]);
  });

  it("gelu rejects an unknown approximation with a ValueError", () => {
    expect(() => gelu(f64([1]), { approximate: "erf" as "none" })).toThrow(core.ValueError);
  });
});

describe("Var methods for the new math", () => {
  it("x.sin(), x.logSumExp(), x.variance(), x.norm() … are the functions", () => {
    const x = param(f64([0.5, -1, 2]));
    expect(x.sin().toArray()).toEqual([Math.sin(0.5), Math.sin(-1), Math.sin(2)]);
    expect(x.cos().toArray()).toEqual([Math.cos(0.5), Math.cos(-1), Math.cos(2)]);
    expect(x.log1p().toArray()).toEqual([Math.log1p(0.5), Math.log1p(-1), Math.log1p(2)]);
    expect(x.expm1().toArray()).toEqual([Math.expm1(0.5), Math.expm1(-1), Math.expm1(2)]);
    expect(x.erf().shape).toEqual([3]);
    expect(x.logSumExp().shape).toEqual([]);
    expect(x.variance(0, { correction: 0 }).item()).toBeCloseTo(1.5, 15);
    expect(x.std().item()).toBeCloseTo(1.5, 15);
    expect(x.norm({ p: 1 }).item()).toBe(3.5);
  });
});
