import {
  IndexError,
  Rng,
  ShapeError,
  type Tensor,
  ValueError,
  arange,
  ones,
  randn,
  reshape,
  tensor,
  zeros,
} from "@slope/core";
import * as ag from "@slope/autograd";
import { constant, param } from "@slope/autograd";
import { describe, expect, it } from "vitest";
import { manualSeed } from "../random.js";
import {
  AdaptiveAvgPool2d,
  AvgPool2d,
  Conv2d,
  Dropout,
  ELU,
  Embedding,
  Flatten,
  GELU,
  LayerNorm,
  LeakyReLU,
  Linear,
  LogSoftmax,
  MaxPool2d,
  ReLU,
  Sequential,
  SiLU,
  Sigmoid,
  Softmax,
  Softplus,
  Tanh,
} from "./index.js";

function range(t: Tensor): { min: number; max: number; std: number } {
  let min = Infinity,
    max = -Infinity,
    sum = 0,
    squares = 0;
  for (let i = 0; i < t.size; i++) {
    const v = t.data[i]!;
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
    squares += v * v;
  }
  const mean = sum / t.size;
  return { min, max, std: Math.sqrt(squares / t.size - mean * mean) };
}

function expectClose(a: Tensor, b: Tensor, tol: number, what: string): void {
  expect([...a.shape], `${what} shape`).toEqual([...b.shape]);
  for (let i = 0; i < a.size; i++) {
    if (!(Math.abs(a.data[i]! - b.data[i]!) <= tol))
      throw new Error(`${what}: first difference at ${i}: ${a.data[i]} vs ${b.data[i]}`);
  }
}

describe("Linear", () => {
  it("has weight [out, in] in U(±1/√in) and bias in U(±1/√in), PyTorch's default", () => {
    const lin = new Linear(300, 200, { rng: new Rng(1) });
    expect(lin.weight.shape).toEqual([200, 300]);
    expect(lin.bias!.shape).toEqual([200]);
    const bound = 1 / Math.sqrt(300);
    const w = range(lin.weight.value);
    expect(w.max).toBeLessThanOrEqual(bound);
    expect(w.min).toBeGreaterThanOrEqual(-bound);
    expect(w.max).toBeGreaterThan(0.99 * bound);
    expect(Math.abs(w.std - bound / Math.sqrt(3)) / (bound / Math.sqrt(3))).toBeLessThan(0.02);
    const b = range(lin.bias!.value);
    expect(b.max).toBeLessThanOrEqual(bound);
    expect(b.min).toBeGreaterThanOrEqual(-bound);
  });

  it("computes x·Wᵀ + b, also over leading batch dimensions", () => {
    const lin = new Linear(3, 2, { rng: new Rng(2), dtype: "float64" });
    lin.weight.value.data.set([1, 2, 3, 4, 5, 6]);
    lin.bias!.value.data.set([0.5, -1]);
    const y = lin.forward(
      tensor(
        [
          [1, 0, -1],
          [2, 1, 0],
        ],
        { dtype: "float64" },
      ),
    );
    expectClose(
      y.value,
      tensor(
        [
          [-1.5, -3],
          [4.5, 12],
        ],
        { dtype: "float64" },
      ),
      0,
      "2-D",
    );
    const y3 = lin.forward(reshape(tensor([1, 0, -1, 2, 1, 0, 0, 0, 0], { dtype: "float64" }), [3, 1, 3]));
    expect(y3.shape).toEqual([3, 1, 2]);
    expectClose(y3.value, tensor([[[-1.5, -3]], [[4.5, 12]], [[0.5, -1]]], { dtype: "float64" }), 0, "3-D");
  });

  it("without bias has one parameter and says bias=False", () => {
    const lin = new Linear(4, 3, { bias: false, rng: new Rng(3) });
    expect(lin.namedParameters().map(([n]) => n)).toEqual(["weight"]);
    expect(lin.toString()).toBe("Linear(in_features=4, out_features=3, bias=False)");
  });

  it("rejects an input whose last dimension is not in_features with a ShapeError naming both", () => {
    const lin = new Linear(4, 3, { rng: new Rng(4) });
    expect(() => lin.forward(zeros([2, 5]))).toThrow(ShapeError);
    expect(() => lin.forward(zeros([2, 5]))).toThrow(
      "Linear: expected an input [..., in_features] with in_features = 4, got shape [2, 5] (5 in_features)",
    );
  });

  it("draws from the default generator: the same manualSeed gives the same weights; rng overrides it", () => {
    manualSeed(7);
    const a = new Linear(5, 4);
    manualSeed(7);
    const other = new Linear(5, 4, { rng: new Rng(8) }); // an explicit rng leaves the default generator alone
    const b = new Linear(5, 4);
    let same = 0;
    for (let i = 0; i < 20; i++) {
      expect(a.weight.value.data[i]).toBe(b.weight.value.data[i]);
      if (a.weight.value.data[i] === other.weight.value.data[i]) same++;
    }
    expect(same).toBe(0);
  });
});

describe("Conv2d", () => {
  it("has weight [out, in/groups, kh, kw] in U(±1/√fanIn) with fanIn = in/groups·kh·kw", () => {
    const conv = new Conv2d(8, 64, [3, 5], { groups: 2, rng: new Rng(5) });
    expect(conv.weight.shape).toEqual([64, 4, 3, 5]);
    const bound = 1 / Math.sqrt(4 * 15);
    const w = range(conv.weight.value);
    expect(w.max).toBeLessThanOrEqual(bound);
    expect(w.min).toBeGreaterThanOrEqual(-bound);
    expect(w.max).toBeGreaterThan(0.99 * bound);
    const b = range(conv.bias!.value);
    expect(b.max).toBeLessThanOrEqual(bound);
    expect(b.min).toBeGreaterThanOrEqual(-bound);
  });

  it("validates channels against groups and 'same' against stride with named errors", () => {
    expect(() => new Conv2d(3, 4, 3, { groups: 2 })).toThrow(ValueError);
    expect(() => new Conv2d(3, 4, 3, { groups: 2 })).toThrow("Conv2d: inChannels (3) must be divisible by groups (2)");
    expect(() => new Conv2d(4, 3, 3, { groups: 2 })).toThrow("Conv2d: outChannels (3) must be divisible by groups (2)");
    expect(() => new Conv2d(3, 4, 3, { padding: "same", stride: 2 })).toThrow(/padding "same" needs stride 1/);
    expect(() => new Conv2d(3, 4, 0)).toThrow(/kernelSize must be an integer ≥ 1/);
  });

  it("checks both entries of a pair: too short, too long, or not integers is a ValueError naming the value", () => {
    for (const kernelSize of [[3], [3, 3, 3], [3, "3"], [3, null], [3, 1.5]]) {
      expect(() => new Conv2d(3, 4, kernelSize as never)).toThrow(
        new ValueError(
          `Conv2d: kernelSize must be an integer ≥ 1 or a pair of them, got ${JSON.stringify(kernelSize)}`,
        ),
      );
    }
    expect(new Conv2d(3, 4, [3, 1]).weight.shape).toEqual([4, 3, 3, 1]);
  });

  it("gives output shapes as PyTorch's, for numbers, pairs, 'same', 'valid' and unbatched input", () => {
    const rng = new Rng(6);
    const x = randn([2, 3, 9, 8], { rng });
    expect(new Conv2d(3, 4, 3, { rng }).forward(x).shape).toEqual([2, 4, 7, 6]);
    expect(new Conv2d(3, 4, 3, { stride: 2, padding: 1, rng }).forward(x).shape).toEqual([2, 4, 5, 4]);
    expect(new Conv2d(3, 4, [3, 1], { padding: "same", dilation: 2, rng }).forward(x).shape).toEqual([2, 4, 9, 8]);
    expect(new Conv2d(3, 4, 2, { padding: "valid", rng }).forward(x).shape).toEqual([2, 4, 8, 7]);
    expect(new Conv2d(3, 6, 1, { groups: 3, rng }).forward(randn([3, 5, 5], { rng })).shape).toEqual([6, 5, 5]);
  });

  it("rejects a wrong rank or channel count with a ShapeError naming the layer and the shape", () => {
    const conv = new Conv2d(3, 4, 3, { rng: new Rng(7) });
    expect(() => conv.forward(zeros([2, 3, 8]))).toThrow(ShapeError);
    expect(() => conv.forward(zeros([3, 8]))).toThrow(
      "Conv2d: expected a 3-D or 4-D input [N, C, H, W] or [C, H, W], got shape [3, 8]",
    );
    expect(() => conv.forward(zeros([2, 4, 8, 8]))).toThrow(
      "Conv2d: expected an input [N, C, H, W] with in_channels = 3, got shape [2, 4, 8, 8] (4 in_channels)",
    );
  });

  it("prints PyTorch's repr with only the non-default options", () => {
    const rng = new Rng(8);
    expect(new Conv2d(3, 16, 3, { rng }).toString()).toBe("Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1))");
    expect(
      new Conv2d(4, 8, [3, 5], { stride: 2, padding: [1, 2], dilation: 2, groups: 2, bias: false, rng }).toString(),
    ).toBe("Conv2d(4, 8, kernel_size=(3, 5), stride=(2, 2), padding=(1, 2), dilation=(2, 2), groups=2, bias=False)");
    expect(new Conv2d(3, 3, 3, { padding: "same", rng }).toString()).toBe(
      "Conv2d(3, 3, kernel_size=(3, 3), stride=(1, 1), padding=same)",
    );
  });
});

describe("pooling", () => {
  const x = reshape(arange(0, 32, 1, { dtype: "float64" }), [1, 2, 4, 4]);

  it("MaxPool2d takes window maxima, stride defaulting to the kernel size", () => {
    const y = new MaxPool2d(2).forward(x);
    expectClose(
      y.value,
      tensor(
        [
          [
            [
              [5, 7],
              [13, 15],
            ],
            [
              [21, 23],
              [29, 31],
            ],
          ],
        ],
        { dtype: "float64" },
      ),
      0,
      "max",
    );
    expect(new MaxPool2d(3, { stride: 1, padding: 1 }).forward(x).shape).toEqual([1, 2, 4, 4]);
    expect(new MaxPool2d(2).toString()).toBe(
      "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)",
    );
    expect(() => new MaxPool2d(2, { padding: 2 })).toThrow(/at most half/);
    expect(() => new MaxPool2d(2).forward(zeros([4, 4]))).toThrow(/MaxPool2d: expected a 3-D or 4-D input/);
  });

  it("AvgPool2d and AdaptiveAvgPool2d take window means", () => {
    const y = new AvgPool2d(2).forward(x);
    expectClose(
      y.value,
      tensor(
        [
          [
            [
              [2.5, 4.5],
              [10.5, 12.5],
            ],
            [
              [18.5, 20.5],
              [26.5, 28.5],
            ],
          ],
        ],
        { dtype: "float64" },
      ),
      0,
      "avg",
    );
    expect(new AvgPool2d([2, 2], { stride: 1 }).toString()).toBe("AvgPool2d(kernel_size=(2, 2), stride=1, padding=0)");
    const g = new AdaptiveAvgPool2d(1).forward(x);
    expectClose(g.value, tensor([[[[7.5]], [[23.5]]]], { dtype: "float64" }), 1e-12, "global");
    expect(new AdaptiveAvgPool2d([2, 1]).forward(x).shape).toEqual([1, 2, 2, 1]);
    expect(new AdaptiveAvgPool2d(1).toString()).toBe("AdaptiveAvgPool2d(output_size=1)");
    expect(new AdaptiveAvgPool2d(1).forward(reshape(x, [2, 4, 4])).shape).toEqual([2, 1, 1]);
  });
});

describe("LayerNorm", () => {
  it("normalises the last dimensions to mean 0 and variance 1, weight 1 and bias 0 at init", () => {
    const ln = new LayerNorm([2, 3], { dtype: "float64" });
    expect(ln.namedParameters().map(([n, p]) => `${n}:${p.shape.join("x")}`)).toEqual(["weight:2x3", "bias:2x3"]);
    const y = ln.forward(randn([4, 2, 3], { rng: new Rng(9), dtype: "float64" })).value;
    for (let s = 0; s < 4; s++) {
      let sum = 0,
        squares = 0;
      for (let i = 0; i < 6; i++) sum += y.data[s * 6 + i]!;
      for (let i = 0; i < 6; i++) squares += (y.data[s * 6 + i]! - sum / 6) ** 2;
      expect(Math.abs(sum / 6)).toBeLessThan(1e-12);
      expect(Math.abs(squares / 6 - 1)).toBeLessThan(1e-4);
    }
  });

  it("prints PyTorch's repr and rejects an input whose trailing shape differs", () => {
    expect(new LayerNorm(10).toString()).toBe("LayerNorm((10,), eps=1e-05, elementwise_affine=True)");
    expect(new LayerNorm(10, { elementwiseAffine: false }).parameters()).toEqual([]);
    expect(() => new LayerNorm(10).forward(zeros([2, 9]))).toThrow(ShapeError);
    expect(() => new LayerNorm(10).forward(zeros([2, 9]))).toThrow(
      "LayerNorm: expected an input of shape [*, 10] (normalized_shape = [10]), got shape [2, 9]",
    );
  });
});

describe("Dropout", () => {
  it("is the identity in eval and zeroes or scales by 1/(1−p) in training", () => {
    const drop = new Dropout(0.25, { rng: new Rng(10) });
    const x = ones([100, 100], { dtype: "float64" });
    const y = drop.forward(x).value;
    let zerosSeen = 0;
    for (let i = 0; i < y.size; i++) {
      const v = y.data[i]!;
      if (v === 0) zerosSeen++;
      else expect(v).toBeCloseTo(1 / 0.75, 12);
    }
    expect(Math.abs(zerosSeen / y.size - 0.25)).toBeLessThan(0.02);
    drop.eval();
    const v = constant(x);
    expect(drop.forward(v)).toBe(v);
  });

  it("validates p, prints PyTorch's repr and follows manualSeed when given no rng", () => {
    expect(() => new Dropout(1.5)).toThrow("Dropout: probability p must be between 0 and 1, got 1.5");
    expect(new Dropout().toString()).toBe("Dropout(p=0.5, inplace=False)");
    const drop = new Dropout(0.5);
    manualSeed("dropout");
    const a = drop.forward(ones([64])).value;
    manualSeed("dropout");
    const b = drop.forward(ones([64])).value;
    for (let i = 0; i < 64; i++) expect(a.data[i]).toBe(b.data[i]);
  });
});

describe("Flatten", () => {
  it("merges startDim…endDim as PyTorch's", () => {
    const x = zeros([2, 3, 4, 5]);
    expect(new Flatten().forward(x).shape).toEqual([2, 60]);
    expect(new Flatten(0).forward(x).shape).toEqual([120]);
    expect(new Flatten(1, 2).forward(x).shape).toEqual([2, 12, 5]);
    expect(new Flatten(-2).forward(x).shape).toEqual([2, 3, 20]);
    expect(new Flatten().toString()).toBe("Flatten(start_dim=1, end_dim=-1)");
    expect(() => new Flatten(2, 1).forward(x)).toThrow(IndexError);
    expect(() => new Flatten(1).forward(zeros([4]))).toThrow(/shape \[4\]/);
  });
});

describe("Embedding", () => {
  it("gathers rows for indices of any shape, weight drawn from N(0, 1)", () => {
    const emb = new Embedding(1000, 20, { rng: new Rng(11), dtype: "float64" });
    const s = range(emb.weight.value);
    expect(Math.abs(s.std - 1)).toBeLessThan(0.02);
    const y = emb.forward(
      tensor([
        [3, 0],
        [999, 3],
      ]),
    );
    expect(y.shape).toEqual([2, 2, 20]);
    for (let j = 0; j < 20; j++) {
      expect(y.value.get(0, 0, j)).toBe(emb.weight.value.get(3, j));
      expect(y.value.get(1, 0, j)).toBe(emb.weight.value.get(999, j));
    }
    expect(emb.forward([1, 2, 3]).shape).toEqual([3, 20]);
    expect(() => emb.forward([1000])).toThrow(IndexError);
    expect(() => emb.forward([1.5])).toThrow(
      "Embedding: index 1.5 (at flat position 0) is out of range for 1000 embeddings",
    );
  });

  it("keeps the padding row at zero and gives it no gradient; others get summed gradients", () => {
    const emb = new Embedding(5, 3, { paddingIdx: -1, rng: new Rng(12), dtype: "float64" });
    expect(emb.paddingIdx).toBe(4);
    expect([...emb.weight.value.data.slice(12)]).toEqual([0, 0, 0]);
    emb.weight.value.data.fill(2, 12); // a padding row changed by hand still reads through, as in PyTorch
    const y = emb.forward([4, 1, 1, 4]);
    expect(y.value.get(0, 0)).toBe(2);
    ag.sum(y).backward();
    const g = emb.weight.grad!;
    expect([...g.data]).toEqual([0, 0, 0, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(emb.toString()).toBe("Embedding(5, 3, padding_idx=4)");
  });
});

describe("Sequential", () => {
  it("is indexable, iterable, appendable, and an empty one is the identity", () => {
    const a = new ReLU();
    const b = new Tanh();
    const seq = new Sequential(a, b);
    expect(seq[0]).toBe(a);
    expect(seq.at(-1)).toBe(b);
    expect(seq.length).toBe(2);
    expect([...seq]).toEqual([a, b]);
    const c = new Sigmoid();
    seq.append(c);
    expect(seq[2]).toBe(c);
    expect(() => seq.at(3)).toThrow(IndexError);
    const x = constant(ones([2]));
    expect(new Sequential().forward(x)).toBe(x);
    expect(new Sequential().toString()).toBe("Sequential()");
  });
});

describe("activations", () => {
  const x = tensor([-2, -0.5, 0.3, 1.5, 25], { dtype: "float64" });
  const cases: [string, { forward(x: Tensor): ag.Var; toString(): string }, (x: Tensor) => ag.Var, string][] = [
    ["ReLU", new ReLU(), (t) => ag.relu(t), "ReLU()"],
    ["LeakyReLU", new LeakyReLU(0.2), (t) => ag.leakyRelu(t, 0.2), "LeakyReLU(negative_slope=0.2)"],
    ["ELU", new ELU(), (t) => ag.elu(t, 1), "ELU(alpha=1.0)"],
    ["GELU", new GELU(), (t) => ag.gelu(t), "GELU(approximate='none')"],
    [
      "GELU tanh",
      new GELU({ approximate: "tanh" }),
      (t) => ag.gelu(t, { approximate: "tanh" }),
      "GELU(approximate='tanh')",
    ],
    ["SiLU", new SiLU(), (t) => ag.silu(t), "SiLU()"],
    ["Tanh", new Tanh(), (t) => ag.tanh(t), "Tanh()"],
    ["Sigmoid", new Sigmoid(), (t) => ag.sigmoid(t), "Sigmoid()"],
    [
      "Softplus",
      new Softplus({ beta: 2 }),
      (t) => ag.softplus(t, { beta: 2, threshold: 20 }),
      "Softplus(beta=2.0, threshold=20.0)",
    ],
    ["Softmax", new Softmax(0), (t) => ag.softmax(t, 0), "Softmax(dim=0)"],
    ["LogSoftmax", new LogSoftmax(-1), (t) => ag.logSoftmax(t, -1), "LogSoftmax(dim=-1)"],
  ];
  for (const [name, layer, f, repr] of cases) {
    it(`${name} computes its autograd function and prints ${repr}`, () => {
      expectClose(layer.forward(x).value, f(x).value, 0, name);
      expect(layer.toString()).toBe(repr);
    });
  }
  it("LeakyReLU defaults to slope 0.01 and GELU rejects an unknown approximation", () => {
    expect(new LeakyReLU().toString()).toBe("LeakyReLU(negative_slope=0.01)");
    expect(() => new GELU({ approximate: "erf" as never })).toThrow(ValueError);
  });
  it("an activation's parameters list is empty", () => {
    expect(new ReLU().parameters()).toEqual([]);
    expect(param(zeros([1])).op).toBe("param");
  });
});
