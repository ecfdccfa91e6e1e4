import { readFileSync, readdirSync } from "node:fs";
import * as core from "@slope/core";
import { describe, expect, it } from "vitest";
import * as autograd from "../index.js";

const { Var, param } = autograd;
const f64 = (values: number[], shape: number[]) => core.tensor(values, { dtype: "float64", shape });

// Every op method Var has, with arguments to call it with, on x = [[0.5, 1, 1.5], [2, 2.5, 3]].
const y = f64([3, 1, 2, 0.5, 4, 1], [2, 3]);
const w = f64([1, 2, 3, 4, 5, 6], [3, 2]);
const METHODS: [string, unknown[]][] = [
  ["add", [y]],
  ["sub", [y]],
  ["mul", [y]],
  ["div", [y]],
  ["pow", [2]],
  ["maximum", [y]],
  ["minimum", [y]],
  ["matmul", [w]],
  ["matmul", [y, { transposeB: true }]],
  ["neg", []],
  ["exp", []],
  ["log", []],
  ["sqrt", []],
  ["reciprocal", []],
  ["square", []],
  ["abs", []],
  ["tanh", []],
  ["sigmoid", []],
  ["relu", []],
  ["clip", [1, 2.5]],
  ["sum", [1, true]],
  ["mean", [0]],
  ["max", [1]],
  ["min", []],
  ["reshape", [[3, 2]]],
  ["transpose", [[1, 0]]],
  ["gather", [[1, 0, 1]]],
  [
    "slice",
    [
      [0, 1],
      [2, 2],
    ],
  ],
  ["cast", ["float32"]],
  ["softmax", [0]],
  ["logSoftmax", []],
  ["sin", []],
  ["cos", []],
  ["log1p", []],
  ["expm1", []],
  ["erf", []],
  ["logSumExp", [1, true]],
  ["variance", [1, { correction: 0 }]],
  ["std", [0]],
  ["norm", [{ p: 1 }]],
];
const NAMES = [...new Set(METHODS.map(([name]) => name)), "backward"];

describe("Var's methods, installed from methods/", () => {
  it("importing the package puts each on Var.prototype as the class body would: a writable, non-enumerable function", () => {
    for (const name of NAMES) {
      const descriptor = Object.getOwnPropertyDescriptor(Var.prototype, name);
      expect(typeof descriptor?.value, name).toBe("function");
      expect([descriptor?.writable, descriptor?.enumerable, descriptor?.configurable], name).toEqual([
        true,
        false,
        true,
      ]);
    }
    const keys: string[] = [];
    for (const key in param(f64([1], [1]))) keys.push(key);
    expect(keys.filter((key) => NAMES.includes(key))).toEqual([]);
  });

  it("x.op(...args) is op(x, ...args): the same value, shape, dtype and graph node", () => {
    const ops = autograd as unknown as Record<string, (...args: unknown[]) => autograd.Var>;
    for (const [name, args] of METHODS) {
      const x = param(f64([0.5, 1, 1.5, 2, 2.5, 3], [2, 3]));
      const method = (x as unknown as Record<string, (...args: unknown[]) => autograd.Var>)[name]!;
      const [chained, direct] = [method.call(x, ...args), ops[name]!(x, ...args)];
      expect([chained.op, chained.shape, chained.dtype, chained.inputs[0] === x], name).toEqual([
        direct.op,
        direct.shape,
        direct.dtype,
        direct.inputs[0] === x,
      ]);
      expect(Array.from(chained.value.data), name).toEqual(Array.from(direct.value.data));
    }
  });

  it("x.backward() is backward(x): dL/dx = 2x for L = Σ x·x, seeded and with its options", () => {
    const x = param(f64([0.5, -1, 3], [3]));
    x.mul(x).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([1, -2, 6]);
    const z = param(f64([0.5, -1, 3], [3]));
    const out = z.mul(z);
    out.backward(f64([1, 10, 100], [3]), { retainGraph: true });
    out.backward(f64([1, 10, 100], [3]));
    expect(Array.from(z.grad!.data)).toEqual([2, -40, 1200]);
  });

  it("install-all.ts imports every file of methods/, so no method is typed on Var without being installed", () => {
    const folder = import.meta.dirname;
    const installAll = readFileSync(`${folder}/install-all.ts`, "utf8");
    const files = readdirSync(folder).filter(
      (f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && f !== "install-all.ts",
    );
    expect(files.length).toBe(NAMES.length);
    expect(files.filter((f) => !installAll.includes(`import "./${f.replace(/\.ts$/, ".js")}";`))).toEqual([]);
  });
});
