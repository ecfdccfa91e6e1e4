import * as core from "@slope/core";
import { describe, expect, it } from "vitest";
import { GraphError, grad } from "./backward.js";
import { customOp } from "./custom-op.js";
import { mul, sum } from "./ops/index.js";
import { param } from "./var.js";
import "./methods/install-all.js"; // loss.backward() and the other methods of Var

const f64 = (v: number[]) => core.tensor(v, { dtype: "float64" });
/** x³ with its gradient over tensors (differentiable once). */
const cubeOnTensors = customOp({
  name: "cube",
  forward: (x) => core.mul(core.mul(x, x), x),
  backward: (g, _y, [x]) => [core.mul(g, core.mul(core.square(x!), 3))],
});
/** x³ with its gradient over Vars (differentiable again). */
const cubeOnVars = customOp({
  name: "cube",
  forward: (x) => core.mul(core.mul(x, x), x),
  vjp: (g, _y, [x]) => [mul(g, mul(mul(x!, x!), 3))],
});

describe("customOp and higher derivatives", () => {
  it("with vjp over Vars, grad(grad(f)) through the op is the true second derivative 6x", () => {
    const d2 = grad(grad((x) => sum(cubeOnVars(x))));
    expect(d2(f64([0.5])).value.data[0]).toBeCloseTo(3, 12);
    expect(grad((x) => sum(cubeOnVars(x)))(f64([2])).value.data[0]).toBe(12);
  });

  it("with backward over tensors, first derivatives work and differentiating them again is a GraphError, never 0", () => {
    expect(grad((x) => sum(cubeOnTensors(x)))(f64([2])).value.data[0]).toBe(12);
    const d2 = grad(grad((x) => sum(cubeOnTensors(x))));
    expect(() => d2(f64([0.5]))).toThrow(GraphError);
    expect(() => d2(f64([0.5]))).toThrow(/cube: its backward works on tensors/);
    // A Hessian-vector product of a model that holds one: an error, not all zeros.
    const w = param(f64([0.3, -0.2]));
    const gradient = grad((v) => sum(mul(cubeOnTensors(v), 2)))(w);
    expect(() => sum(mul(gradient, f64([1, 1]))).backward()).toThrow(GraphError);
  });
});

describe("customOp's backward results", () => {
  it("a backward that returns nothing is a GraphError naming the op", () => {
    const forgot = customOp({ name: "forgot", forward: (x) => x, backward: (() => undefined) as never });
    expect(() => sum(forgot(param(f64([1])))).backward()).toThrow(GraphError);
    expect(() => sum(forgot(param(f64([1])))).backward()).toThrow(/forgot: backward returned undefined/);
    const short = customOp({ name: "short", forward: (x, _y) => x, backward: () => [] });
    const twoInputs = () => sum(short(param(f64([1])), param(f64([2])))).backward();
    expect(twoInputs).toThrow(/short: backward returned 0 gradient\(s\) for 2/);
  });

  it("a gradient of another dtype is a DTypeError, and one that is not a Tensor a ValueError", () => {
    const f32 = customOp({ name: "f32", forward: (x) => x, backward: (g) => [core.cast(g, "float32")] });
    expect(() => sum(f32(param(f64([1, 2])))).backward()).toThrow(core.DTypeError);
    expect(() => sum(f32(param(f64([1, 2])))).backward()).toThrow(
      /f32: backward returned a float32 gradient for input 0, which is float64/,
    );
    const numbers = customOp({ name: "numbers", forward: (x) => x, backward: () => [[1, 2] as never] });
    expect(() => sum(numbers(param(f64([1, 2])))).backward()).toThrow(core.ValueError);
  });

  it("a definition without a name, a forward, or with both or neither of backward and vjp is a ValueError", () => {
    expect(() => customOp(null as never)).toThrow(core.ValueError);
    expect(() => customOp({ name: "", forward: (x) => x, backward: (g) => [g] })).toThrow(/name/);
    expect(() => customOp({ name: "n", forward: (x: core.Tensor) => x } as never)).toThrow(/exactly one of backward/);
    expect(() => customOp({ name: "n", forward: (x) => x, backward: (g) => [g], vjp: (g) => [g] })).toThrow(
      /exactly one/,
    );
    const misspelt = { name: "n", forward: (x: core.Tensor) => x, backwards: (g: core.Tensor) => [g] };
    expect(() => customOp(misspelt as never)).toThrow(/unknown option "backwards"/);
  });
});
