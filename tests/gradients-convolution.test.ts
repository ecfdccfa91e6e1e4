// Convolution and pooling against their definitions: forward values against a direct loop over the
// formula, gradients (first and second order) against numerical differentiation in float64, and the
// float32 kernels on one thread against several, bit for bit.
import * as ag from "@slope/autograd";
import { type Var, gradCheck } from "@slope/autograd";
import * as core from "@slope/core";
import * as internal from "@slope/core/internal";
import { enableThreads, disableThreads } from "@slope/core/node";
import { Rng, type Tensor, randn } from "@slope/core";
import { describe, expect, it } from "vitest";

const rng = new Rng("convolution");
const normal = (...shape: number[]) => randn(shape, { rng, dtype: "float64" });
const weightsFor = new Map<string, Tensor>();
/** Σ y·R for a fixed random R of y's shape, so every output element has its own upstream gradient. */
function weighted(name: string, y: Var): Var {
  const key = `${name}:${y.shape.join("x")}`;
  if (!weightsFor.has(key)) weightsFor.set(key, normal(...y.shape));
  return ag.sum(ag.mul(y, weightsFor.get(key)!));
}

/** The first index where two arrays differ, or −1 (never a deep compare of large arrays). */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>, tol = 0): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) {
    const same = Object.is(a[i], b[i]) || Math.abs(a[i]! - b[i]!) <= tol * Math.max(1, Math.abs(b[i]!));
    if (!same) return i;
  }
  return -1;
}

interface ConvCase {
  name: string;
  x: number[];
  w: number[];
  bias: boolean;
  options: core.Conv2dOptions;
}
const convCases: ConvCase[] = [
  { name: "3×3, stride 1, padding 1", x: [2, 3, 5, 5], w: [4, 3, 3, 3], bias: true, options: { padding: 1 } },
  {
    name: "stride 2, no padding, non-square kernel",
    x: [2, 2, 7, 6],
    w: [3, 2, 3, 2],
    bias: true,
    options: { stride: 2 },
  },
  {
    name: "dilation 2, asymmetric padding",
    x: [1, 2, 7, 7],
    w: [2, 2, 3, 3],
    bias: false,
    options: { dilation: 2, padding: [1, 2] },
  },
  {
    name: "groups 2, stride [2, 1]",
    x: [2, 4, 6, 5],
    w: [6, 2, 3, 3],
    bias: true,
    options: { groups: 2, stride: [2, 1], padding: 1 },
  },
  {
    name: "depthwise (groups = channels)",
    x: [1, 3, 5, 5],
    w: [3, 1, 3, 3],
    bias: true,
    options: { groups: 3, padding: 1 },
  },
  { name: "padding same, even kernel", x: [1, 2, 5, 6], w: [2, 2, 2, 4], bias: false, options: { padding: "same" } },
  { name: "unbatched CHW input", x: [2, 4, 4], w: [3, 2, 2, 2], bias: true, options: {} },
];

/** y[n,o,i,j] = b[o] + Σ w[o,c,p,q]·x[n, g·C/G + c, i·sh − pt + p·dh, j·sw − pl + q·dw], straight from the definition. */
function directConv(
  x: Tensor,
  w: Tensor,
  b: Tensor | null,
  options: core.Conv2dOptions,
): { data: number[]; shape: number[] } {
  const unbatched = x.rank === 3;
  const [N, C, H, W] = (unbatched ? [1, ...x.shape] : x.shape) as number[];
  const [O, Cg, KH, KW] = w.shape as number[];
  const groups = options.groups ?? 1;
  const pair = (v: number | readonly number[] | undefined, d: number) =>
    v === undefined ? [d, d] : typeof v === "number" ? [v, v] : [...v];
  const [sh, sw] = pair(options.stride, 1),
    [dh, dw] = pair(options.dilation, 1);
  let pt: number, pb: number, pl: number, pr: number;
  if (options.padding === "same") {
    const th = dh! * (KH! - 1),
      tw = dw! * (KW! - 1);
    [pt, pb, pl, pr] = [Math.floor(th / 2), th - Math.floor(th / 2), Math.floor(tw / 2), tw - Math.floor(tw / 2)];
  } else {
    const [ph, pw] = pair(options.padding as number | number[] | undefined, 0);
    [pt, pb, pl, pr] = [ph!, ph!, pw!, pw!];
  }
  const OH = Math.floor((H! + pt + pb - dh! * (KH! - 1) - 1) / sh!) + 1,
    OW = Math.floor((W! + pl + pr - dw! * (KW! - 1) - 1) / sw!) + 1;
  const data: number[] = [];
  for (let n = 0; n < N!; n++)
    for (let o = 0; o < O!; o++)
      for (let i = 0; i < OH; i++)
        for (let j = 0; j < OW; j++) {
          const group = Math.floor(o / (O! / groups));
          let s = b === null ? 0 : b.data[o]!;
          for (let c = 0; c < Cg!; c++)
            for (let p = 0; p < KH!; p++)
              for (let q = 0; q < KW!; q++) {
                const y = i * sh! - pt + p * dh!,
                  xx = j * sw! - pl + q * dw!;
                if (y < 0 || y >= H! || xx < 0 || xx >= W!) continue;
                s +=
                  w.data[((o * Cg! + c) * KH! + p) * KW! + q]! *
                  x.data[((n * C! + group * Cg! + c) * H! + y) * W! + xx]!;
              }
          data.push(s);
        }
  return { data, shape: unbatched ? [O!, OH, OW] : [N!, O!, OH, OW] };
}

describe("conv2d", () => {
  for (const c of convCases) {
    it(`equals its definition, summed term by term: ${c.name}`, () => {
      const x = normal(...c.x),
        w = normal(...c.w),
        b = c.bias ? normal(c.w[0]!) : null;
      const y = core.conv2d(x, w, b, c.options);
      const expected = directConv(x, w, b, c.options);
      expect(y.shape).toEqual(expected.shape);
      expect(firstDifference(y.data, expected.data, 1e-12)).toBe(-1);
    });
    it(`has the gradient of numerical differentiation with respect to x, w and b: ${c.name}`, () => {
      const inputs = [normal(...c.x), normal(...c.w), ...(c.bias ? [normal(c.w[0]!)] : [])];
      const result = gradCheck((x, w, b) => weighted(c.name, ag.conv2d(x!, w!, b ?? null, c.options)), inputs);
      expect(result.maxRelError).toBeLessThan(1e-7);
    });
  }

  it("has second derivatives: the input and weight gradients are themselves differentiable", () => {
    const c = convCases[3]!;
    const x = normal(...c.x),
      w = normal(...c.w);
    const g = normal(...core.conv2d(x, w, null, c.options).shape);
    const input = gradCheck((gv, wv) => weighted("dx", ag.conv2dBackwardInput(gv!, wv!, x.shape, c.options)), [g, w]);
    const weight = gradCheck((xv, gv) => weighted("dw", ag.conv2dBackwardWeight(xv!, gv!, w.shape, c.options)), [x, g]);
    expect(input.maxRelError).toBeLessThan(1e-7);
    expect(weight.maxRelError).toBeLessThan(1e-7);
    // grad(grad(f)): the Hessian-vector product of a loss quadratic in w through the convolution.
    const f = (wv: Var) => ag.sum(ag.square(ag.conv2d(x, wv, null, c.options)));
    const hessianRow = gradCheck((wv) => weighted("h", ag.grad(f)(wv!)), [w]);
    expect(hessianRow.maxRelError).toBeLessThan(1e-7);
  });

  it("names the shapes when channels, ranks or kernel sizes do not fit", () => {
    const x = core.zeros([1, 3, 4, 4]);
    expect(() => core.conv2d(x, core.zeros([2, 4, 3, 3]))).toThrow(
      /expects input with 4 channels, got input of shape \[1, 3, 4, 4\]/,
    );
    expect(() => core.conv2d(core.zeros([3, 4]), core.zeros([2, 3, 3, 3]))).toThrow(core.ShapeError);
    expect(() => core.conv2d(x, core.zeros([2, 3, 5, 5]))).toThrow(/larger than the padded input 4×4/);
    expect(() => core.conv2d(x, core.zeros([2, 3, 3, 3]), null, { stride: 0 })).toThrow(
      /stride to be an integer ≥ 1 or a pair of them, got 0/,
    );
    expect(() => core.conv2d(x, core.zeros([3, 1, 3, 3]), null, { groups: 2 })).toThrow(/not divisible by groups = 2/);
    expect(() => core.conv2d(x, core.zeros([2, 3, 3, 3]), null, { padding: "same", stride: 2 })).toThrow(
      /needs stride 1/,
    );
    expect(() => core.conv2d(x, core.zeros([2, 3, 3, 3]), core.zeros([3]))).toThrow(/expected bias of shape \[2\]/);
  });

  it("propagates NaN from the input to exactly the outputs whose window holds it", () => {
    const x = core.zeros([1, 1, 5, 5], { dtype: "float64" });
    x.data[12] = NaN; // the centre
    const y = core.conv2d(x, core.ones([1, 1, 3, 3], { dtype: "float64" }));
    expect(Array.from(y.data).every((v) => Number.isNaN(v))).toBe(true);
    const corner = core.conv2d(x, core.ones([1, 1, 1, 1], { dtype: "float64" }));
    expect(Array.from(corner.data).filter((v) => Number.isNaN(v)).length).toBe(1);
  });
});

describe("pooling", () => {
  /** Distinct values (a shuffled ramp), so that no two elements of a window tie and h never crosses a kink. */
  const distinct = (...shape: number[]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const order = rng.permutation(size);
    return core.tensor(
      Array.from(order, (v) => v * 0.1 + 0.01 * rng.uniform()),
      { shape, dtype: "float64" },
    );
  };
  const maxCases: [string, number[], core.MaxPool2dOptions][] = [
    ["2×2", [2, 3, 6, 6], { kernelSize: 2 }],
    ["3×3 stride 2 padding 1", [1, 2, 7, 7], { kernelSize: 3, stride: 2, padding: 1 }],
    ["dilation 2, ceil mode", [1, 2, 8, 7], { kernelSize: 2, stride: 2, dilation: 2, ceilMode: true }],
  ];
  for (const [name, shape, options] of maxCases) {
    it(`max pooling takes each window's maximum and routes the gradient to it: ${name}`, () => {
      const x = distinct(...shape);
      const result = gradCheck((v) => weighted(name, ag.maxPool2d(v!, options)), [x], { h: 1e-6 });
      expect(result.maxRelError).toBeLessThan(1e-7);
    });
  }
  it("max pooling: the maximum of each window, NaN wins, padding never does", () => {
    const x = core.tensor(
      [
        [
          [
            [1, 5, 2, 0],
            [3, 4, NaN, 1],
            [-1, -2, -3, -4],
            [-5, -6, -7, -8],
          ],
        ],
      ],
      { dtype: "float64" },
    );
    expect(core.maxPool2d(x, { kernelSize: 2 }).toArray()).toEqual([
      [
        [
          [5, NaN],
          [-1, -3],
        ],
      ],
    ]);
    const negative = core.full([1, 1, 2, 2], -3, { dtype: "float64" });
    expect(core.maxPool2d(negative, { kernelSize: 2, stride: 1, padding: 1 }).toArray()).toEqual([
      [
        [
          [-3, -3, -3],
          [-3, -3, -3],
          [-3, -3, -3],
        ],
      ],
    ]);
  });

  const avgCases: [string, number[], core.AvgPool2dOptions][] = [
    ["2×2", [2, 2, 6, 6], { kernelSize: 2 }],
    ["3×3 stride 2 padding 1, counting padding", [1, 2, 7, 6], { kernelSize: 3, stride: 2, padding: 1 }],
    [
      "3×3 stride 2 padding 1, not counting padding, ceil mode",
      [1, 2, 7, 6],
      { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false, ceilMode: true },
    ],
  ];
  for (const [name, shape, options] of avgCases) {
    it(`average pooling has the gradient of numerical differentiation, and its adjoint too: ${name}`, () => {
      const x = normal(...shape);
      expect(gradCheck((v) => weighted(name, ag.avgPool2d(v!, options)), [x]).maxRelError).toBeLessThan(1e-7);
      const f = (v: Var) => ag.sum(ag.square(ag.avgPool2d(v, options)));
      expect(gradCheck((v) => weighted(`${name}²`, ag.grad(f)(v!)), [x]).maxRelError).toBeLessThan(1e-7);
    });
  }
  it("average pooling divides by the window's size, with or without the padding", () => {
    const x = core.ones([1, 1, 3, 3], { dtype: "float64" });
    const counted = core.avgPool2d(x, { kernelSize: 3, stride: 1, padding: 1 });
    expect(counted.get(0, 0, 0, 0)).toBeCloseTo(4 / 9, 15);
    const uncounted = core.avgPool2d(x, { kernelSize: 3, stride: 1, padding: 1, countIncludePad: false });
    expect(Array.from(uncounted.data).every((v) => v === 1)).toBe(true);
  });
  it("adaptive average pooling: global average, and uneven windows [⌊iH/oh⌋, ⌈(i+1)H/oh⌉)", () => {
    const x = normal(2, 3, 5, 7);
    const global = core.adaptiveAvgPool2d(x, 1);
    expect(global.shape).toEqual([2, 3, 1, 1]);
    expect(global.get(1, 2, 0, 0)).toBeCloseTo(core.mean(core.slice(x, [1, 2, 0, 0], [1, 1, 5, 7])).item(), 14);
    const uneven = core.adaptiveAvgPool2d(x, [3, 2]);
    // row window 1 of 3 over 5 rows: [1, 4); column window 1 of 2 over 7 columns: [3, 7)
    expect(uneven.get(0, 1, 1, 1)).toBeCloseTo(core.mean(core.slice(x, [0, 1, 1, 3], [1, 1, 3, 4])).item(), 14);
    expect(gradCheck((v) => weighted("adaptive", ag.adaptiveAvgPool2d(v!, [3, 2])), [x]).maxRelError).toBeLessThan(
      1e-7,
    );
  });
  it("names the problem: a kernel larger than the padded input, a stride of 0, too much padding", () => {
    const x = core.zeros([1, 1, 3, 3]);
    expect(() => core.maxPool2d(x, { kernelSize: 4 })).toThrow(/larger than the padded input 3×3/);
    expect(() => core.avgPool2d(x, { kernelSize: 2, stride: 0 })).toThrow(
      /stride to be an integer ≥ 1 or a pair of them, got 0/,
    );
    expect(() => core.maxPool2d(x, { kernelSize: 2, padding: 2 })).toThrow(/at most half the kernel size/);
    expect(() => core.maxPool2d(core.zeros([3, 3]), { kernelSize: 2 })).toThrow(/expected input \[N, C, H, W\]/);
  });
  it("pairs are checked entry by entry: a pair that is too short, too long, or holds a non-number is a ValueError", () => {
    const x = core.zeros([1, 1, 4, 4]);
    for (const stride of [[1], [1, 1, 1], [1, "2"], [1, null], [2.5, 1]]) {
      expect(() => core.avgPool2d(x, { kernelSize: 2, stride: stride as never })).toThrow(
        new core.ValueError(
          `avgPool2d: expected stride to be an integer ≥ 1 or a pair of them, got ${JSON.stringify(stride)}`,
        ),
      );
    }
    expect(core.avgPool2d(x, { kernelSize: [2, 1], stride: [2, 1] }).shape).toEqual([1, 1, 2, 4]);
    expect(() => core.adaptiveAvgPool2d(x, [2] as never)).toThrow(
      /outputSize to be an integer ≥ 1 or a pair of them, got \[2\]/,
    );
  });
  it("the window tables of a shape without two trailing dimensions are a ShapeError, not NaN sizes", () => {
    expect(() => internal.avgPoolWindows("test", { shape: [4] }, { kernelSize: 2 })).toThrow(
      new core.ShapeError("test: expected an input shape [..., H, W], got [4]"),
    );
    expect(() => internal.adaptiveAvgPoolWindows("test", { shape: [] }, 1)).toThrow(core.ShapeError);
    expect(internal.adaptiveAvgPoolWindows("test", { shape: [3, 5] }, [1, 2]).rowCounts).toEqual(new Int32Array([3]));
  });
});

describe("float32 kernels", () => {
  it("give the same bits on one thread and on two, for a convolution large enough to split", async () => {
    const x = randn([4, 32, 16, 16], { rng: new Rng(1) }),
      w = randn([64, 32, 3, 3], { rng: new Rng(2) });
    const run = () => {
      const y = core.conv2d(x, w, null, { padding: 1 });
      const g = core.onesLike(y);
      return [
        y,
        core.conv2dBackwardInput(g, w, x.shape, { padding: 1 }),
        core.conv2dBackwardWeight(x, g, w.shape, { padding: 1 }),
      ];
    };
    const one = run();
    await enableThreads({ threads: 2 });
    try {
      const two = run();
      for (let k = 0; k < one.length; k++) expect(firstDifference(one[k]!.data, two[k]!.data)).toBe(-1);
    } finally {
      disableThreads();
    }
  });
  it("WebAssembly and JavaScript kernels agree on every case, forward and backward (edges of blocks, groups, strides)", () => {
    const cases: [number[], number[], core.Conv2dOptions][] = [
      ...convCases.map((c) => [c.x, c.w, c.options] as [number[], number[], core.Conv2dOptions]),
      [[3, 5, 13, 11], [7, 5, 3, 3], { padding: 1 }],
      [[2, 6, 17, 9], [10, 3, 5, 3], { stride: [2, 1], dilation: [1, 2], padding: [2, 3], groups: 2 }],
      [[2, 40, 9, 9], [66, 40, 3, 3], { padding: 1 }],
      [[1, 3, 32, 32], [32, 3, 3, 3], { padding: 1 }],
    ];
    for (const [xs, ws, options] of cases) {
      const x = randn(xs, { rng }),
        w = randn(ws, { rng });
      const y = core.conv2d(x, w, null, options);
      const g = randn(y.shape as number[], { rng });
      const wasm = [
        y,
        core.conv2dBackwardInput(g, w, x.shape, options),
        core.conv2dBackwardWeight(x, g, w.shape, options),
      ];
      const previous = core.setKernels(core.jsKernels);
      try {
        const js = [
          core.conv2d(x, w, null, options),
          core.conv2dBackwardInput(g, w, x.shape, options),
          core.conv2dBackwardWeight(x, g, w.shape, options),
        ];
        for (let k = 0; k < 3; k++) {
          const scale = Math.max(...Array.from(js[k]!.data, Math.abs));
          const at = firstDifference(
            wasm[k]!.data.map((v) => v / scale),
            js[k]!.data.map((v) => v / scale),
            2e-5,
          );
          expect(at, `${JSON.stringify([xs, ws, options])} output ${k} at ${at}`).toBe(-1);
        }
      } finally {
        core.setKernels(previous);
      }
    }
  });
  it("max pooling 2×2 takes the same maxima and indices on WebAssembly as in JavaScript, NaN and ties included", () => {
    for (const shape of [
      [3, 5, 8, 8],
      [2, 3, 9, 14],
      [1, 2, 7, 33],
    ]) {
      const x = randn(shape, { rng });
      for (let i = 0; i < x.size; i += 17) x.data[i] = x.data[i + 1] ?? 0; // ties
      for (let i = 5; i < x.size; i += 101) x.data[i] = NaN;
      const wasm = core.maxPool2dWithIndices(x, { kernelSize: 2 });
      const previous = core.setKernels(core.jsKernels);
      try {
        const js = core.maxPool2dWithIndices(x, { kernelSize: 2 });
        expect(firstDifference(wasm.output.data, js.output.data)).toBe(-1);
        expect(firstDifference(wasm.indices, js.indices)).toBe(-1);
      } finally {
        core.setKernels(previous);
      }
    }
  });
  it("agree with float64 to float32's precision", () => {
    const x = normal(2, 8, 9, 9),
      w = normal(16, 8, 3, 3);
    const exact = core.conv2d(x, w, null, { padding: 1, stride: 2 });
    const single = core.conv2d(core.cast(x, "float32"), core.cast(w, "float32"), null, { padding: 1, stride: 2 });
    expect(firstDifference(single.data, exact.data, 1e-4)).toBe(-1);
  });
});
