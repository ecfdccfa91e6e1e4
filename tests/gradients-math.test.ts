// The math ops of issue #14 (sin, cos, log1p, expm1, erf, logSumExp, variance, std, norm, stack, split,
// leakyRelu, elu, gelu, silu, softplus, slice with negative begins, matmul with 1-D operands) against
// the numerical gradient in float64 (relative error below 1e-7 for smooth functions, 1e-5 at kinks),
// their second derivatives grad(grad(f)) against differences of the first, their values against Math
// and high-precision references, NaN in and out, overflow at ±1e4, and float32.
import * as ag from "@slope/autograd";
import { type Var, constant, grad, gradCheck, noGrad, numericalGradient, relError } from "@slope/autograd";
import { Rng, type Tensor, rand, randn, tensor } from "@slope/core";
import { describe, expect, it } from "vitest";

const SMOOTH = 1e-7;
const KINK = 1e-5;
const rng = new Rng("gradients-math");
const normal = (...shape: number[]) => randn(shape, { rng, dtype: "float64" });
const uniform = (low: number, high: number, ...shape: number[]) => rand(shape, { rng, low, high, dtype: "float64" });
/** Values at least 0.05 away from 0, so that a kink at 0 is never within h of a coordinate. */
const awayFromZero = (...shape: number[]) => {
  const t = uniform(0.05, 2, ...shape);
  for (let i = 0; i < t.size; i++) if (rng.uniform() < 0.5) t.data[i] = -t.data[i]!;
  return t;
};
const f64 = (values: number[], shape = [values.length]) => tensor(values, { dtype: "float64", shape });

/** A weighted sum, so every output element gets a different upstream gradient. */
const weights = new Map<string, Tensor>();
function reduce(name: string, y: Var): Var {
  const key = `${name}:${y.shape.join("x")}`;
  if (!weights.has(key)) weights.set(key, normal(...y.shape));
  return ag.sum(ag.mul(y, weights.get(key)!));
}

type Case = [name: string, f: (...xs: Var[]) => Var, inputs: () => Tensor[], tol: number];

const cases: Case[] = [
  ["sin", (a) => ag.sin(a!), () => [uniform(-6, 6, 3, 4)], SMOOTH],
  ["cos", (a) => ag.cos(a!), () => [uniform(-6, 6, 3, 4)], SMOOTH],
  ["log1p", (a) => ag.log1p(a!), () => [uniform(-0.7, 3, 3, 4)], SMOOTH],
  ["expm1", (a) => ag.expm1(a!), () => [uniform(-3, 3, 3, 4)], SMOOTH],
  ["erf", (a) => ag.erf(a!), () => [uniform(-3, 3, 3, 4)], SMOOTH],
  ["logSumExp over all", (a) => ag.logSumExp(a!), () => [normal(3, 4)], SMOOTH],
  ["logSumExp axis 1", (a) => ag.logSumExp(a!, 1), () => [normal(3, 4)], SMOOTH],
  ["logSumExp axes [0, 2] keepDims", (a) => ag.logSumExp(a!, [0, 2], true), () => [normal(2, 3, 4)], SMOOTH],
  [
    "logSumExp axis −1 of large values",
    (a) => ag.logSumExp(a!, -1),
    () => [ag.noGrad(() => ag.add(normal(3, 4), 500).value)],
    SMOOTH,
  ],
  ["variance over all (correction 1)", (a) => ag.variance(a!), () => [normal(3, 4)], SMOOTH],
  ["variance axis 0, correction 0", (a) => ag.variance(a!, 0, { correction: 0 }), () => [normal(3, 4)], SMOOTH],
  [
    "variance axes [0, 2] keepDims, correction 2",
    (a) => ag.variance(a!, [0, 2], { correction: 2, keepDims: true }),
    () => [normal(2, 3, 4)],
    SMOOTH,
  ],
  ["std axis −1", (a) => ag.std(a!, -1), () => [normal(3, 5)], SMOOTH],
  ["std over all, correction 0", (a) => ag.std(a!, undefined, { correction: 0 }), () => [normal(3, 5)], SMOOTH],
  ["norm (Frobenius, p = 2 over all)", (a) => ag.norm(a!), () => [normal(3, 4)], SMOOTH],
  ["norm p = 2 axis 1 keepDims", (a) => ag.norm(a!, { axis: 1, keepDims: true }), () => [normal(3, 4)], SMOOTH],
  ["norm p = 3 axes [0, 2]", (a) => ag.norm(a!, { p: 3, axis: [0, 2] }), () => [awayFromZero(2, 3, 4)], SMOOTH],
  ["norm p = 1.5 axis 0", (a) => ag.norm(a!, { p: 1.5, axis: 0 }), () => [awayFromZero(3, 4)], SMOOTH],
  ["norm p = 0.5 axis 1", (a) => ag.norm(a!, { p: 0.5, axis: 1 }), () => [awayFromZero(3, 4)], SMOOTH],
  ["norm p = 1 (kink at 0)", (a) => ag.norm(a!, { p: 1, axis: 1 }), () => [awayFromZero(3, 4)], KINK],
  ["norm p = ∞ (kink)", (a) => ag.norm(a!, { p: Infinity, axis: -1 }), () => [awayFromZero(3, 4)], KINK],
  ["stack axis 0", (a, b, c) => ag.stack([a!, b!, c!]), () => [normal(2, 3), normal(2, 3), normal(2, 3)], SMOOTH],
  ["stack axis 1", (a, b) => ag.stack([a!, b!], 1), () => [normal(2, 3), normal(2, 3)], SMOOTH],
  ["stack axis −1", (a, b) => ag.stack([a!, b!], -1), () => [normal(2, 3), normal(2, 3)], SMOOTH],
  [
    "split into sizes [1, 3, 1] along 1, pieces reused",
    (a) => {
      const [p, q, r] = ag.split(a!, [1, 3, 1], 1) as [Var, Var, Var];
      return ag.add(ag.mul(ag.sum(q, 1, true), p), ag.mul(r, p));
    },
    () => [normal(3, 5)],
    SMOOTH,
  ],
  [
    "split in sections of 2 (last of 1), one unused",
    (a) => {
      const [p, , r] = ag.split(a!, 2) as [Var, Var, Var];
      return ag.add(ag.sum(ag.square(p)), ag.sum(ag.mul(r, 3)));
    },
    () => [normal(5, 2)],
    SMOOTH,
  ],
  ["leakyRelu (kink)", (a) => ag.leakyRelu(a!), () => [awayFromZero(3, 4)], KINK],
  ["leakyRelu negativeSlope 0.2 (kink)", (a) => ag.leakyRelu(a!, 0.2), () => [awayFromZero(3, 4)], KINK],
  ["elu (α = 1, smooth at 0 in value and slope)", (a) => ag.elu(a!), () => [awayFromZero(3, 4)], KINK],
  ["elu α = 1.5 (kink)", (a) => ag.elu(a!, 1.5), () => [awayFromZero(3, 4)], KINK],
  ["gelu exact", (a) => ag.gelu(a!), () => [uniform(-4, 4, 3, 4)], SMOOTH],
  ["gelu tanh", (a) => ag.gelu(a!, { approximate: "tanh" }), () => [uniform(-4, 4, 3, 4)], SMOOTH],
  ["silu", (a) => ag.silu(a!), () => [uniform(-5, 5, 3, 4)], SMOOTH],
  ["softplus", (a) => ag.softplus(a!), () => [uniform(-5, 5, 3, 4)], SMOOTH],
  [
    "softplus β = 2, threshold 4 (both sides, away from the switch)",
    (a) => ag.softplus(a!, { beta: 2, threshold: 4 }),
    () => [f64([-3, -1, 0.3, 1.5, 2.5, 3.7, -0.2, 5], [2, 4])],
    SMOOTH,
  ],
  ["slice with negative begins", (a) => ag.slice(a!, [-2, -3], [2, 2]), () => [normal(3, 4)], SMOOTH],
  ["slice [−1] to the end", (a) => ag.slice(a!, [-1]), () => [normal(3, 4)], SMOOTH],
  ["matmul 1-D · 2-D", (a, b) => ag.matmul(a!, b!), () => [normal(4), normal(4, 3)], SMOOTH],
  ["matmul 2-D · 1-D", (a, b) => ag.matmul(a!, b!), () => [normal(3, 4), normal(4)], SMOOTH],
  ["matmul 1-D · 1-D (a scalar)", (a, b) => ag.matmul(a!, b!), () => [normal(4), normal(4)], SMOOTH],
  ["matmul 1-D · 3-D", (a, b) => ag.matmul(a!, b!), () => [normal(4), normal(2, 4, 3)], SMOOTH],
  ["matmul 3-D · 1-D", (a, b) => ag.matmul(a!, b!), () => [normal(2, 3, 4), normal(4)], SMOOTH],
  [
    "matmul 2-D transposed · 1-D",
    (a, b) => ag.matmul(a!, b!, { transposeA: true }),
    () => [normal(4, 3), normal(4)],
    SMOOTH,
  ],
];

describe("every new differentiable op agrees with the numerical gradient (float64)", () => {
  it.each(cases)("%s", (name, f, inputs, tol) => {
    const result = gradCheck(
      (...xs) => {
        const y = f(...xs);
        return y.size === 1 && y.shape.length === 0 ? y : reduce(name, y);
      },
      inputs(),
      { tol },
    );
    expect(result.maxRelError, JSON.stringify(result.worst)).toBeLessThan(tol);
    expect(result.ok).toBe(true);
  });
});

/**
 * Checks the Hessian-vector product H·v of f at x, taken as grad of x ↦ ⟨∇f(x), v⟩, against central
 * differences of that first gradient.
 */
function secondDerivativeError(f: (x: Var) => Var, x: Tensor): number {
  const v = uniform(-1, 1, ...x.shape);
  const directional = (y: Var) => ag.sum(ag.mul(grad(f)(y), v));
  const analytic = grad(directional)(x).value;
  const numeric = numericalGradient((t) => noGrad(() => directional(constant(t)).item()), x);
  return relError(analytic, numeric);
}

describe("second derivatives grad(grad(f)) agree with differences of the first (float64)", () => {
  const sum = (op: (x: Var) => Var) => (x: Var) => reduce("second", op(x));
  it.each([
    ["sin", sum(ag.sin), () => uniform(-4, 4, 3, 4)],
    ["cos", sum(ag.cos), () => uniform(-4, 4, 3, 4)],
    ["log1p", sum(ag.log1p), () => uniform(-0.5, 3, 3, 4)],
    ["expm1", sum(ag.expm1), () => uniform(-2, 2, 3, 4)],
    ["erf", sum(ag.erf), () => uniform(-2.5, 2.5, 3, 4)],
    ["softplus", sum((x) => ag.softplus(x, { beta: 1.5 })), () => uniform(-5, 5, 3, 4)],
    ["silu", sum(ag.silu), () => uniform(-5, 5, 3, 4)],
    ["gelu exact", sum(ag.gelu), () => uniform(-4, 4, 3, 4)],
    ["gelu tanh", sum((x) => ag.gelu(x, { approximate: "tanh" })), () => uniform(-4, 4, 3, 4)],
    ["elu (away from 0)", sum((x) => ag.elu(x, 1.5)), () => awayFromZero(3, 4)],
    ["logSumExp axis 1", sum((x) => ag.logSumExp(x, 1)), () => normal(3, 4)],
    ["variance axis 0", sum((x) => ag.variance(x, 0)), () => normal(3, 4)],
    ["std axis 1", sum((x) => ag.std(x, 1)), () => normal(3, 4)],
    ["norm p = 2 axis 1", sum((x) => ag.norm(x, { axis: 1 })), () => normal(3, 4)],
    ["norm p = 3", sum((x) => ag.norm(x, { p: 3 })), () => awayFromZero(3, 4)],
  ] as [string, (x: Var) => Var, () => Tensor][])("%s", (_, f, x) => {
    expect(secondDerivativeError(f, x())).toBeLessThan(SMOOTH);
  });

  // sin'' = −sin, cos'' = −cos, log1p'' = −1/(1+x)², expm1'' = eˣ, erf'' = −2x·erf'
  it("are the closed forms of sin'', cos'', log1p'', expm1'' and erf'' at scalars", () => {
    const second = (op: (x: Var) => Var, x: number) => grad(grad((v) => ag.sum(op(v))))(f64([x])).item();
    for (const x of [-2.5, -0.4, 0, 0.3, 1.7]) {
      expect(second(ag.sin, x)).toBeCloseTo(-Math.sin(x), 14);
      expect(second(ag.cos, x)).toBeCloseTo(-Math.cos(x), 14);
      expect(second(ag.log1p, x / 3)).toBeCloseTo(-1 / (1 + x / 3) ** 2, 13);
      expect(second(ag.expm1, x)).toBeCloseTo(Math.exp(x), 13);
      expect(second(ag.erf, x)).toBeCloseTo(-2 * x * (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x), 14);
    }
  });
});

/** |actual − expected| ≤ rel·|expected| (or rel when expected is 0), naming the case on failure. */
function expectClose(actual: number, expected: number, rel: number, what: string): void {
  const error = Math.abs(actual - expected);
  if (!(error <= rel * Math.max(Math.abs(expected), 1e-300))) {
    throw new Error(`${what}: got ${actual}, expected ${expected}`);
  }
}

describe("forward values", () => {
  it("sin, cos, log1p, expm1 are Math's, bit for bit, and erf is within 1 ulp of mpmath's", () => {
    const xs = [-3, -0.5, 1e-12, 0.25, 2, 7];
    const x = f64(xs);
    const pairs: [(v: Var | Tensor) => Var, (v: number) => number][] = [
      [ag.sin, Math.sin],
      [ag.cos, Math.cos],
      [ag.log1p, Math.log1p],
      [ag.expm1, Math.expm1],
    ];
    for (const [op, reference] of pairs) {
      const y = op(x);
      for (let i = 0; i < xs.length; i++) expect(y.value.data[i]).toBe(reference(xs[i]!));
    }
    const erf = ag.erf(f64([0.5, 1, 3, -2, 1e-10])).value.data;
    const known = [
      0.5204998778130465, 0.8427007929497149, 0.9999779095030014, -0.9953222650189527, 1.1283791670955126e-10,
    ];
    known.forEach((v, i) => {
      expectClose(erf[i]!, v, 2.3e-16, `erf at ${i}`);
    });
  });

  it("activations match their formulas and high-precision values at hand-picked points", () => {
    // x, x·Φ(x), tanh-GELU, x·σ(x), log(1 + eˣ), from mpmath at 200 bits
    const table = [
      [1, 0.8413447460685429, 0.8411919906082767, 0.7310585786300049, 1.3132616875182228],
      [-1, -0.15865525393145705, -0.1588080093917233, -0.2689414213699951, 0.3132616875182228],
      [0.5, 0.34573123063700656, 0.34571400982514394, 0.3112296656009273, 0.9740769841801067],
      [-3, -0.0040496940948902835, -0.003637392081773019, -0.14227761953270035, 0.04858735157374206],
      [3, 2.99595030590511, 2.996362607918227, 2.8577223804672998, 3.048587351573742],
    ];
    const x = f64(table.map((row) => row[0]!));
    // The exact form is torch's ½x(1 + erf(x/√2)): 1 + erf cancels for negative x, a few ulp at x = −3.
    const gelu = ag.gelu(x).value.data;
    const geluTanh = ag.gelu(x, { approximate: "tanh" }).value.data;
    const silu = ag.silu(x).value.data;
    const softplus = ag.softplus(x).value.data;
    table.forEach(([v, g, gt, s, sp], i) => {
      expectClose(gelu[i]!, g!, 1e-14, `gelu(${v})`);
      expectClose(geluTanh[i]!, gt!, 1e-14, `gelu tanh(${v})`);
      expectClose(silu[i]!, s!, 1e-15, `silu(${v})`);
      expectClose(softplus[i]!, sp!, 1e-15, `softplus(${v})`);
    });
    expectClose(ag.softplus(f64([1]), { beta: 2 }).item(), 1.0634640055214863, 1e-15, "softplus β = 2 at 1");
    expect(Array.from(ag.softplus(f64([3, 30]), { threshold: 2 }).value.data)).toEqual([3, 30]);
    expect(Array.from(ag.leakyRelu(f64([-2, 0, 3]), 0.1).value.data)).toEqual([-0.2, 0, 3]);
    const elu = ag.elu(f64([-2, 0, 3]), 1.5).value.data;
    expect([elu[0], elu[1], elu[2]]).toEqual([1.5 * Math.expm1(-2), 0, 3]);
  });

  it("logSumExp, variance, std and norm give hand-worked values", () => {
    expectClose(ag.logSumExp(f64([1, 2, 3])).item(), 3.40760596444438, 1e-15, "logSumExp [1, 2, 3]");
    const m = f64([1, 2, 3, 4, 6, 8], [2, 3]);
    expect(Array.from(ag.variance(m, 1).value.data)).toEqual([1, 4]);
    expect(Array.from(ag.variance(m, 1, { correction: 0 }).value.data)).toEqual([2 / 3, 8 / 3]);
    expect(Array.from(ag.std(m, 0, { keepDims: true }).value.data)).toEqual(
      [3, 4, 5].map((d) => Math.sqrt((d * d) / 2)),
    );
    expect(ag.std(m, 0, { keepDims: true }).shape).toEqual([1, 3]);
    expect(ag.norm(f64([3, 4])).item()).toBe(5);
    expect(ag.norm(f64([3, -4]), { p: 1 }).item()).toBe(7);
    expect(ag.norm(f64([3, -4]), { p: Infinity }).item()).toBe(4);
    expectClose(ag.norm(f64([1, 2, 2]), { p: 3 }).item(), 17 ** (1 / 3), 1e-15, "3-norm of [1, 2, 2]");
  });
});

describe("NaN in gives NaN out", () => {
  const ops: [string, (x: Var | Tensor) => Var][] = [
    ["sin", ag.sin],
    ["cos", ag.cos],
    ["log1p", ag.log1p],
    ["expm1", ag.expm1],
    ["erf", ag.erf],
    ["logSumExp", (x) => ag.logSumExp(x)],
    ["variance", (x) => ag.variance(x)],
    ["std", (x) => ag.std(x)],
    ["norm", (x) => ag.norm(x)],
    ["norm p = 1", (x) => ag.norm(x, { p: 1 })],
    ["norm p = 3", (x) => ag.norm(x, { p: 3 })],
    ["norm p = ∞", (x) => ag.norm(x, { p: Infinity })],
    ["leakyRelu", (x) => ag.leakyRelu(x)],
    ["elu", (x) => ag.elu(x)],
    ["gelu", (x) => ag.gelu(x)],
    ["gelu tanh", (x) => ag.gelu(x, { approximate: "tanh" })],
    ["silu", ag.silu],
    ["softplus", (x) => ag.softplus(x)],
  ];
  it.each(ops)("%s", (_, op) => {
    const y = op(f64([0.5, Number.NaN, -1.5]));
    const reduced = y.size === 1 ? [y.item()] : [y.value.data[1]!];
    expect(reduced[0]).toBeNaN();
  });
});

describe("no overflow at ±1e4 where the true value is finite", () => {
  const finite = (t: Tensor) => Array.from(t.data).every(Number.isFinite);

  it("softplus is x above and 0 below, with gradient 1 and 0, whatever the threshold", () => {
    for (const threshold of [20, Infinity]) {
      const x = ag.param(f64([1e4, -1e4, 0]));
      const y = ag.softplus(x, { threshold });
      expect(Array.from(y.value.data)).toEqual([1e4, 0, Math.LN2]);
      ag.sum(y).backward();
      expect(Array.from(x.grad!.data)).toEqual([1, 0, 0.5]);
    }
  });

  it("logSumExp of ±1e4 is ±1e4 + ln 2 with gradient ½ each, over all and per row", () => {
    const x = ag.param(f64([1e4, 1e4, -1e4, -1e4], [2, 2]));
    const y = ag.logSumExp(x, 1);
    expect(Array.from(y.value.data)).toEqual([1e4 + Math.LN2, -1e4 + Math.LN2]);
    ag.sum(y).backward();
    expect(Array.from(x.grad!.data)).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(ag.logSumExp(f64([1e4, -1e4])).item()).toBe(1e4);
    expect(ag.logSumExp(f64([-Infinity, -Infinity])).item()).toBe(-Infinity);
    expect(ag.logSumExp(f64([Infinity, 0])).item()).toBe(Infinity);
  });

  it.each([
    ["gelu", (x: Var) => ag.gelu(x)],
    ["gelu tanh", (x: Var) => ag.gelu(x, { approximate: "tanh" })],
    ["silu", (x: Var) => ag.silu(x)],
    ["elu", (x: Var) => ag.elu(x)],
    ["erf", (x: Var) => ag.erf(x)],
    ["sin", (x: Var) => ag.sin(x)],
    ["logSumExp", (x: Var) => ag.logSumExp(x)],
  ])("%s has finite values, first and second derivatives", (_, op) => {
    const x = f64([1e4, -1e4, 3]);
    const first = grad((v) => ag.sum(op(v)));
    expect(finite(op(ag.param(x)).value)).toBe(true);
    expect(finite(first(x).value)).toBe(true);
    expect(finite(grad((v) => ag.sum(first(v)))(x).value)).toBe(true);
  });

  it("the 2-norm's gradient at 0 is 0 (PyTorch's subgradient), not NaN, and so is the p-norm's", () => {
    for (const p of [2, 3, 0.5, 1]) {
      const x = ag.param(tensor([0, 0, 0, 1, 2, 2], { dtype: "float64", shape: [2, 3] }));
      ag.sum(ag.norm(x, { p, axis: 1 })).backward();
      expect(Array.from(x.grad!.data).slice(0, 3)).toEqual([0, 0, 0]);
      expect(finite(x.grad!)).toBe(true);
    }
    const g = grad((v) => ag.norm(v))(f64([0, 0]));
    expect(Array.from(g.value.data)).toEqual([0, 0]);
  });
});

describe("float32 works too", () => {
  const unary: [string, (x: Var) => Var][] = [
    ["sin", ag.sin],
    ["cos", ag.cos],
    ["log1p", ag.log1p],
    ["expm1", ag.expm1],
    ["erf", ag.erf],
    ["logSumExp", (x) => ag.logSumExp(x, 1)],
    ["variance", (x) => ag.variance(x, 0)],
    ["std", (x) => ag.std(x)],
    ["norm", (x) => ag.norm(x, { axis: 1 })],
    ["norm p = 3", (x) => ag.norm(x, { p: 3 })],
    ["leakyRelu", (x) => ag.leakyRelu(x)],
    ["elu", (x) => ag.elu(x)],
    ["gelu", (x) => ag.gelu(x)],
    ["gelu tanh", (x) => ag.gelu(x, { approximate: "tanh" })],
    ["silu", ag.silu],
    ["softplus", (x) => ag.softplus(x)],
    ["stack", (x) => ag.stack([x, x], 1)],
    ["split", (x) => ag.split(x, 2, 1)[1]!],
    ["slice", (x) => ag.slice(x, [-1, -2])],
    ["matmul 2-D · 1-D", (x) => ag.matmul(x, tensor([1, -2, 0.5], { dtype: x.dtype }))],
  ];
  it.each(unary)("%s keeps float32 and agrees with float64 to float32 rounding, value and gradient", (_, op) => {
    const x64 = uniform(-0.9, 2, 4, 3);
    const x32 = ag.cast(x64, "float32").value;
    const run = (x: Tensor) => {
      const p = ag.param(x);
      const y = op(p);
      ag.sum(y).backward();
      return { y: y.value, g: p.grad! };
    };
    const single = run(x32);
    const double = run(x64);
    expect(single.y.dtype).toBe("float32");
    expect(single.g.dtype).toBe("float32");
    expect(relError(ag.cast(single.y, "float64").value, double.y)).toBeLessThan(1e-5);
    expect(relError(ag.cast(single.g, "float64").value, double.g)).toBeLessThan(1e-5);
  });
});
