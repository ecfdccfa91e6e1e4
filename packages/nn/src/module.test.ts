import { DTypeError, Rng, ShapeError, type Tensor, clone, ones, randn, zeros } from "@slope/core";
import {
  type Var,
  type VarLike,
  add,
  backward,
  constant,
  matmul,
  mean,
  noGrad,
  numericalGradient,
  param,
  relError,
  square,
  sub,
  toVar,
} from "@slope/autograd";
import { describe, expect, it } from "vitest";
import { StateDictError } from "./errors.js";
import { BatchNorm2d, Conv2d, Linear, ReLU, Sequential, Tanh } from "./layers/index.js";
import { Module } from "./module.js";

/** Compares two tensors bit for bit, reporting the first differing index (never toEqual on typed arrays). */
function expectSameBits(a: Tensor, b: Tensor, what: string): void {
  expect(a.dtype, `${what} dtype`).toBe(b.dtype);
  expect([...a.shape], `${what} shape`).toEqual([...b.shape]);
  for (let i = 0; i < a.size; i++) {
    if (!Object.is(a.data[i], b.data[i]))
      throw new Error(`${what}: first difference at ${i}: ${a.data[i]} vs ${b.data[i]}`);
  }
}

class Scale extends Module {
  gain: Var;
  offset: Var;
  constructor() {
    super();
    this.gain = param(ones([2]));
    this.offset = param(zeros([2]));
    this.registerBuffer("calls", zeros([1]));
    this.registerBuffer("cache", zeros([2]), { persistent: false });
  }
  override forward(x: VarLike): Var {
    return add(toVar(x).mul(this.gain), this.offset);
  }
}

class Net extends Module {
  features: Sequential;
  head: Linear;
  scale: Scale;
  constructor(rng: Rng) {
    super();
    this.features = new Sequential(new Conv2d(3, 4, 3, { padding: 1, rng }), new BatchNorm2d(4), new ReLU());
    this.head = new Linear(4, 2, { rng });
    this.scale = new Scale();
  }
  override forward(x: VarLike): Var {
    const h = this.features.forward(x).mean([2, 3]);
    return this.scale.forward(this.head.forward(h));
  }
}

describe("Module registration", () => {
  it("lists parameters with dotted names in assignment order, own parameters before children's", () => {
    class Outer extends Module {
      w: Var = param(zeros([1]));
      inner = new Linear(2, 3, { rng: new Rng(0) });
      b: Var = param(zeros([1]));
      override forward(): Var {
        return this.w;
      }
    }
    expect(new Outer().namedParameters().map(([n]) => n)).toEqual(["w", "b", "inner.weight", "inner.bias"]);
  });

  it("names nested Sequential parameters features.0.weight and keeps integer children in numeric order", () => {
    const net = new Net(new Rng(1));
    expect(net.namedParameters().map(([n]) => n)).toEqual([
      "features.0.weight",
      "features.0.bias",
      "features.1.weight",
      "features.1.bias",
      "head.weight",
      "head.bias",
      "scale.gain",
      "scale.offset",
    ]);
    const layers = Array.from({ length: 12 }, () => new ReLU());
    const seq = new Sequential(...layers, new Linear(1, 1));
    expect(seq.namedParameters().map(([n]) => n)).toEqual(["12.weight", "12.bias"]);
    expect(seq.namedChildren().map(([n]) => n)).toEqual([
      "0",
      "1",
      "2",
      "3",
      "4",
      "5",
      "6",
      "7",
      "8",
      "9",
      "10",
      "11",
      "12",
    ]);
  });

  it("lists a shared parameter and a shared module once, under the first name", () => {
    const shared = new Linear(2, 2, { rng: new Rng(2) });
    const seq = new Sequential(shared, new ReLU(), shared);
    expect(seq.namedParameters().map(([n]) => n)).toEqual(["0.weight", "0.bias"]);
    expect(seq.numParameters()).toBe(6);
    expect(seq.namedModules().map(([n]) => n)).toEqual(["", "0", "1"]);
    class Tied extends Module {
      a = new Linear(3, 3, { bias: false, rng: new Rng(3) });
      b = new Linear(3, 3, { bias: false, rng: new Rng(4) });
      constructor() {
        super();
        this.b.weight = this.a.weight;
      }
      override forward(): Var {
        return this.a.weight;
      }
    }
    const tied = new Tied();
    expect(tied.namedParameters().map(([n]) => n)).toEqual(["a.weight"]);
    // stateDict keeps both keys, as PyTorch's state_dict does for tied weights.
    expect(Object.keys(tied.stateDict())).toEqual(["a.weight", "b.weight"]);
  });

  it("ignores null fields, plain tensors and constants, and counts parameters", () => {
    class Odd extends Module {
      bias: Var | null = null;
      data: Tensor = zeros([5]);
      fixed: Var = constant(zeros([5]));
      w: Var = param(zeros([2, 3]));
      override forward(): Var {
        return this.w;
      }
    }
    const m = new Odd();
    expect(m.namedParameters().map(([n]) => n)).toEqual(["w"]);
    expect(m.numParameters()).toBe(6);
    expect(m.parameters()[0]).toBe(m.w);
  });

  it("registers buffers readable as properties, non-persistent ones listed but not saved", () => {
    const s = new Scale();
    const named = s.namedBuffers().map(([n]) => n);
    expect(named).toEqual(["calls", "cache"]);
    expect(Object.keys(s.stateDict())).toEqual(["gain", "offset", "calls"]);
    const calls = (s as unknown as { calls: Tensor }).calls;
    expect(calls.shape).toEqual([1]);
    (s as unknown as { calls: Tensor }).calls = ones([1]);
    expect(s.stateDict().calls!.data[0]).toBe(1);
    expect(() => ((s as unknown as { calls: unknown }).calls = 3)).toThrow(/must be a Tensor or null/);
    expect(() => s.registerBuffer("a.b", null)).toThrow(/without "\."/);
  });

  it("lists modules depth first, children deduplicated, modules() and children() agree", () => {
    const net = new Net(new Rng(5));
    expect(net.namedModules().map(([n, m]) => `${n}:${m.constructor.name}`)).toEqual([
      ":Net",
      "features:Sequential",
      "features.0:Conv2d",
      "features.1:BatchNorm2d",
      "features.2:ReLU",
      "head:Linear",
      "scale:Scale",
    ]);
    expect(net.children().map((m) => m.constructor.name)).toEqual(["Sequential", "Linear", "Scale"]);
    expect(net.modules().length).toBe(7);
  });

  it("apply visits children before the module itself", () => {
    const net = new Net(new Rng(6));
    const seen: string[] = [];
    net.apply((m) => seen.push(m.constructor.name));
    expect(seen).toEqual(["Conv2d", "BatchNorm2d", "ReLU", "Sequential", "Linear", "Scale", "Net"]);
  });

  it("train() and eval() set the training flag on every submodule", () => {
    const net = new Net(new Rng(7));
    expect(net.modules().every((m) => m.training)).toBe(true);
    expect(net.eval()).toBe(net);
    expect(net.modules().every((m) => !m.training)).toBe(true);
    net.features.train();
    expect(net.training).toBe(false);
    expect(net.features.modules().every((m) => m.training)).toBe(true);
    net.train(true);
    expect(net.modules().every((m) => m.training)).toBe(true);
  });

  it("zeroGrad clears every parameter's gradient", () => {
    const lin = new Linear(3, 2, { rng: new Rng(8) });
    lin
      .forward(constant(ones([4, 3])))
      .sum()
      .backward();
    expect(lin.weight.grad).not.toBeNull();
    lin.zeroGrad();
    expect(lin.parameters().every((p) => p.grad === null)).toBe(true);
  });
});

describe("stateDict and loadStateDict", () => {
  it("gives PyTorch's keys for Sequential(Conv2d, BatchNorm2d, ReLU, Linear)", () => {
    const rng = new Rng(9);
    const seq = new Sequential(new Conv2d(3, 4, 3, { rng }), new BatchNorm2d(4), new ReLU(), new Linear(4, 2, { rng }));
    expect(Object.keys(seq.stateDict())).toEqual([
      "0.weight",
      "0.bias",
      "1.weight",
      "1.bias",
      "1.running_mean",
      "1.running_var",
      "1.num_batches_tracked",
      "3.weight",
      "3.bias",
    ]);
    // And parameters only, for an optimizer.
    expect(seq.namedParameters().map(([n]) => n)).toEqual([
      "0.weight",
      "0.bias",
      "1.weight",
      "1.bias",
      "3.weight",
      "3.bias",
    ]);
  });

  it("gives nested keys with parameters before buffers within each module", () => {
    expect(Object.keys(new Net(new Rng(10)).stateDict())).toEqual([
      "features.0.weight",
      "features.0.bias",
      "features.1.weight",
      "features.1.bias",
      "features.1.running_mean",
      "features.1.running_var",
      "features.1.num_batches_tracked",
      "head.weight",
      "head.bias",
      "scale.gain",
      "scale.offset",
      "scale.calls",
    ]);
  });

  it("round-trips: a model loaded from another's state dict has the same bits", () => {
    const a = new Net(new Rng(11));
    const b = new Net(new Rng(12));
    expect(b.loadStateDict(a.stateDict())).toEqual({ missingKeys: [], unexpectedKeys: [] });
    const sa = a.stateDict();
    const sb = b.stateDict();
    for (const key of Object.keys(sa)) expectSameBits(sb[key]!, sa[key]!, key);
    // Copied in place, not aliased: b's tensors are still its own.
    expect(sb["head.weight"]).not.toBe(sa["head.weight"]);
  });

  it("converts each value to the dtype of the tensor it replaces", () => {
    const a = new Linear(3, 2, { rng: new Rng(13), dtype: "float64" });
    const b = new Linear(3, 2, { rng: new Rng(14) });
    b.loadStateDict(a.stateDict());
    expect(b.weight.dtype).toBe("float32");
    for (let i = 0; i < 6; i++) expect(b.weight.value.data[i]).toBe(Math.fround(a.weight.value.data[i]!));
  });

  function snapshot(m: Module): Record<string, Tensor> {
    return Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, clone(t)]));
  }
  function expectUnchanged(m: Module, before: Record<string, Tensor>): void {
    const now = m.stateDict();
    expect(Object.keys(now)).toEqual(Object.keys(before));
    for (const key of Object.keys(before)) expectSameBits(now[key]!, before[key]!, key);
  }

  it("a missing key throws StateDictError naming the key, and the model is unchanged bit for bit", () => {
    const target = new Net(new Rng(15));
    const before = snapshot(target);
    const dict = { ...new Net(new Rng(16)).stateDict() };
    delete dict["features.1.running_var"];
    expect(() => target.loadStateDict(dict)).toThrow(StateDictError);
    expect(() => target.loadStateDict(dict)).toThrow(/missing key\(s\): "features\.1\.running_var"/);
    expectUnchanged(target, before);
  });

  it("an unexpected key throws under strict and is reported without strict", () => {
    const target = new Net(new Rng(17));
    const before = snapshot(target);
    const dict: Record<string, Tensor> = { ...new Net(new Rng(18)).stateDict(), "head.extra": zeros([2]) };
    expect(() => target.loadStateDict(dict)).toThrow(/unexpected key\(s\): "head\.extra"/);
    expectUnchanged(target, before);
    const partial = { ...dict };
    delete partial["scale.calls"];
    expect(target.loadStateDict(partial, { strict: false })).toEqual({
      missingKeys: ["scale.calls"],
      unexpectedKeys: ["head.extra"],
    });
    expectSameBits(target.head.weight.value, dict["head.weight"]!, "head.weight loaded");
  });

  it("a shape mismatch throws naming the key, the module and both shapes, also without strict, changing nothing", () => {
    const target = new Net(new Rng(19));
    const before = snapshot(target);
    const dict = { ...new Net(new Rng(20)).stateDict(), "features.0.weight": zeros([4, 3, 5, 5]) };
    const message =
      /size mismatch for "features\.0\.weight" \(Conv2d\): the model's shape is \[4, 3, 3, 3\], the state dict's is \[4, 3, 5, 5\]/;
    expect(() => target.loadStateDict(dict)).toThrow(message);
    expect(() => target.loadStateDict(dict, { strict: false })).toThrow(StateDictError);
    // The keys before the bad one in iteration order were not written either.
    expectUnchanged(target, before);
  });

  it("a value that is not a Tensor is a StateDictError naming the key", () => {
    const target = new Linear(2, 2, { rng: new Rng(21) });
    const before = snapshot(target);
    const dict = { weight: target.weight, bias: zeros([2]) } as unknown as Record<string, Tensor>;
    expect(() => target.loadStateDict(dict)).toThrow(
      /"weight" \(Linear\): expected a Tensor of shape \[2, 2\], got a Var/,
    );
    expectUnchanged(target, before);
  });

  it("lists every problem at once", () => {
    const target = new Linear(2, 2, { rng: new Rng(22) });
    try {
      target.loadStateDict({ weight: zeros([3, 2]), other: zeros([1]) });
      throw new Error("no error");
    } catch (error) {
      expect(error).toBeInstanceOf(StateDictError);
      const text = (error as Error).message;
      expect(text).toMatch(/missing key\(s\): "bias"/);
      expect(text).toMatch(/unexpected key\(s\): "other"/);
      expect(text).toMatch(
        /size mismatch for "weight" \(Linear\): the model's shape is \[2, 2\], the state dict's is \[3, 2\]/,
      );
    }
  });
});

describe("to(dtype)", () => {
  it("converts parameters and buffers, keeps parameters as param Vars and shared ones shared", () => {
    const shared = new Linear(2, 2, { rng: new Rng(23) });
    const seq = new Sequential(shared, new BatchNorm2d(2), shared);
    const oldWeight = shared.weight;
    seq.to("float64");
    expect(seq.parameters().every((p) => p.dtype === "float64" && p.op === "param" && p.requiresGrad)).toBe(true);
    expect(seq.namedBuffers().every(([, t]) => t.dtype === "float64")).toBe(true);
    expect(shared.weight).not.toBe(oldWeight);
    for (let i = 0; i < 4; i++) expect(shared.weight.value.data[i]).toBe(oldWeight.value.data[i]);
    expect((seq[1] as BatchNorm2d).runningVar!.dtype).toBe("float64");
    expect(seq.to("float64")).toBe(seq);
  });

  it("a float32 MLP converted to float64 has exact gradients through the Module API (rel error < 1e-7)", () => {
    const rng = new Rng(24);
    const mlp = new Sequential(new Linear(3, 5, { rng }), new Tanh(), new Linear(5, 2, { rng })).to("float64");
    const x = constant(randn([4, 3], { rng, dtype: "float64" }));
    const y = randn([4, 2], { rng, dtype: "float64" });
    const loss = () => mean(square(sub(mlp.forward(x), y)));
    backward(loss());
    for (const [name, p] of mlp.namedParameters()) {
      const numerical = numericalGradient(() => noGrad(() => loss().item()), p.value);
      const error = relError(p.grad!, numerical);
      expect(error, name).toBeLessThan(1e-7);
    }
  });

  it("a float32 model fed float64 input is a DTypeError (dtypes never mix silently)", () => {
    const lin = new Linear(2, 2, { rng: new Rng(25) });
    expect(() => lin.forward(ones([1, 2], { dtype: "float64" }))).toThrow(DTypeError);
  });
});

describe("repr and error paths", () => {
  it("prints PyTorch's repr for a Sequential", () => {
    const rng = new Rng(26);
    const seq = new Sequential(new Conv2d(3, 16, 3, { padding: 1, rng }), new ReLU());
    expect(seq.toString()).toBe(
      "Sequential(\n" +
        "  (0): Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n" +
        "  (1): ReLU()\n" +
        ")",
    );
  });

  it("indents nested modules as PyTorch does", () => {
    expect(new Net(new Rng(27)).toString()).toBe(
      [
        "Net(",
        "  (features): Sequential(",
        "    (0): Conv2d(3, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))",
        "    (1): BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)",
        "    (2): ReLU()",
        "  )",
        "  (head): Linear(in_features=4, out_features=2, bias=True)",
        "  (scale): Scale()",
        ")",
      ].join("\n"),
    );
  });

  it("an error inside a nested module's forward names the module path", () => {
    const net = new Net(new Rng(28));
    expect(() => net.forward(zeros([2, 5, 4, 4]))).toThrow(ShapeError);
    expect(() => net.forward(zeros([2, 5, 4, 4]))).toThrow(
      /Conv2d: .*in_channels = 3.*\[2, 5, 4, 4\].* \(features\.0: Conv2d\)$/,
    );
    const seq = new Sequential(new Linear(3, 2, { rng: new Rng(29) }));
    expect(() => seq.forward(zeros([1, 4]))).toThrow(/Linear: .* \(0: Linear\)$/);
    // A layer called on its own gets no path.
    expect(() => new Linear(3, 2, { rng: new Rng(30) }).forward(zeros([1, 4]))).toThrow(
      /in_features = 3, got shape \[1, 4\] \(4 in_features\)$/,
    );
  });

  it("keeps working after an error (no leftover call depth)", () => {
    const seq = new Sequential(new Linear(3, 2, { rng: new Rng(31) }));
    expect(() => seq.forward(zeros([1, 4]))).toThrow();
    const inner = new Sequential(new Linear(3, 2, { rng: new Rng(32) }));
    expect(() => inner.forward(zeros([1, 5]))).toThrow(/ \(0: Linear\)$/);
    expect(matmul(ones([1, 2]), ones([2, 1])).item()).toBe(2);
  });
});
