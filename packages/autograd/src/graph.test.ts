import * as core from "@slope/core";
import { describe, expect, it } from "vitest";
import { GraphError, backward } from "./backward.js";
import { add, exp, matmul, mul, sum } from "./ops/index.js";
import { constant, noGrad, param } from "./var.js";
import "./methods/install-all.js"; // loss.backward() and the other methods of Var

const f64 = (v: core.NestedArray) => core.tensor(v, { dtype: "float64" });

describe("the graph", () => {
  it("param collects a gradient, constant does not, and ops record their inputs", () => {
    const w = param(f64([1, 2]));
    const c = constant(f64([3, 4]));
    const y = mul(w, c);
    expect(y.requiresGrad).toBe(true);
    expect(y.op).toBe("mul");
    expect(y.inputs).toEqual([w, c]);
    y.sum().backward();
    expect(w.grad!.toArray()).toEqual([3, 4]);
    expect(c.grad).toBeNull();
  });

  it("accepts plain numbers and Tensors where a Var is expected, and chains as methods", () => {
    const x = param(f64([[1, 2]]));
    const W = f64([[1], [1]]);
    const y = x.matmul(W).add(1).mul(2).sum();
    expect(y.item()).toBe(8);
    y.backward();
    expect(x.grad!.toArray()).toEqual([[2, 2]]);
  });

  it("accumulates where a node feeds several others (y = x·x + x)", () => {
    const x = param(f64([3]));
    add(mul(x, x), x).sum().backward();
    expect(x.grad!.item()).toBe(7);
  });

  it("sums gradients back over broadcast dimensions", () => {
    const m = param(
      f64([
        [1, 2, 3],
        [4, 5, 6],
      ]),
    );
    const row = param(f64([10, 20, 30]));
    const col = param(f64([[1], [2]]));
    mul(add(m, row), col).sum().backward();
    expect(row.grad!.toArray()).toEqual([3, 3, 3]);
    expect(col.grad!.toArray()).toEqual([[66], [75]]);
    expect(m.grad!.toArray()).toEqual([
      [1, 1, 1],
      [2, 2, 2],
    ]);
  });

  it("gradients accumulate across backward calls until zeroGrad", () => {
    const x = param(f64([2]));
    mul(x, 3).sum().backward();
    mul(x, 3).sum().backward();
    expect(x.grad!.item()).toBe(6);
    x.zeroGrad();
    expect(x.grad).toBeNull();
  });

  it("walks a 100,000-node chain without recursion", () => {
    const x = param(f64([1]));
    let y = x;
    for (let i = 0; i < 100_000; i++) y = add(y, 1e-5);
    y.sum().backward();
    expect(x.grad!.item()).toBe(1);
  });

  it("noGrad records nothing and detach cuts the graph", () => {
    const x = param(f64([1, 2]));
    const y = noGrad(() => exp(x));
    expect(y.requiresGrad).toBe(false);
    expect(y.inputs).toEqual([]);
    const z = mul(x, exp(x).detach()).sum();
    z.backward();
    expect(Array.from(x.grad!.data)).toEqual([Math.exp(1), Math.exp(2)]);
  });

  it("a non-scalar output needs a seed of its shape", () => {
    const x = param(f64([1, 2]));
    expect(() => mul(x, 2).backward()).toThrow(GraphError);
    expect(() => mul(x, 2).backward()).toThrow(/output has shape \[2\]; pass a seed gradient/);
    mul(x, 2).backward(f64([1, 10]));
    expect(x.grad!.toArray()).toEqual([2, 20]);
    expect(() => mul(x, 2).backward(f64([1]))).toThrow(/seed has shape \[1\], expected the output's \[2\]/);
  });

  it("backward twice through a freed graph is a clear error; retainGraph allows it", () => {
    const x = param(f64([1]));
    const y = exp(mul(x, 2)).sum();
    y.backward();
    expect(() => y.backward()).toThrow(/freed by an earlier backward\(\); pass \{ retainGraph: true \}/);
    const z = exp(mul(x, 2)).sum();
    x.zeroGrad();
    z.backward(undefined, { retainGraph: true });
    z.backward();
    expect(x.grad!.item()).toBeCloseTo(4 * Math.exp(2), 12);
  });

  it("an output that depends on no parameter says so", () => {
    expect(() => sum(constant(f64([1]))).backward()).toThrow(/does not depend on any parameter/);
  });

  it("skips the gradient of inputs that do not need one (data in x·W)", () => {
    const X = constant(
      f64([
        [1, 2],
        [3, 4],
      ]),
    );
    const W = param(f64([[1], [1]]));
    matmul(X, W).sum().backward();
    expect(W.grad!.toArray()).toEqual([[4], [6]]);
    expect(X.grad).toBeNull();
  });

  it("backward() is also a function", () => {
    const x = param(f64([5]));
    backward(mul(x, x).sum());
    expect(x.grad!.item()).toBe(10);
  });
});
