import * as core from "@slope/core";
import { describe, expect, it } from "vitest";
import { binaryCrossEntropyWithLogits } from "./binary-cross-entropy-with-logits.js";
import { crossEntropy } from "./cross-entropy.js";
import { klDiv } from "./kl-div.js";
import {
  BCELoss,
  BCEWithLogitsLoss,
  CrossEntropyLoss,
  HuberLoss,
  KLDivLoss,
  L1Loss,
  MSELoss,
  NLLLoss,
} from "./modules.js";

const f64 = (values: core.NestedArray) => core.tensor(values, { dtype: "float64" });

describe("loss modules", () => {
  it("compute what their functions compute with the same options", () => {
    const x = f64([
      [0.2, -1, 3],
      [1, 0.5, -2],
    ]);
    const weight = f64([1, 2, 3]);
    const module = new CrossEntropyLoss({ weight, labelSmoothing: 0.1, ignoreIndex: 2 });
    const expected = crossEntropy(x, [1, 2], { weight, labelSmoothing: 0.1, ignoreIndex: 2 });
    expect(module.forward(x, [1, 2]).item()).toBe(expected.item());
    const p = f64([
      [0.5, 0.5, 0],
      [0, 0, 1],
    ]);
    const kl = klDiv(x, p, { reduction: "batchmean" });
    expect(new KLDivLoss({ reduction: "batchmean" }).forward(x, p).item()).toBe(kl.item());
    const y = f64([
      [1, 0, 1],
      [0, 1, 0.5],
    ]);
    const posWeight = f64([1, 2, 3]);
    expect(new BCEWithLogitsLoss({ posWeight, reduction: "sum" }).forward(x, y).item()).toBe(
      binaryCrossEntropyWithLogits(x, y, { posWeight, reduction: "sum" }).item(),
    );
    expect(new MSELoss().forward(x, y).item()).toBeCloseTo(core.mean(core.square(core.sub(x, y))).item(), 14);
    const l1 = core.sum(core.abs(core.sub(x, y))).item();
    expect(new L1Loss({ reduction: "sum" }).forward(x, y).item()).toBeCloseTo(l1, 14);
    expect(new HuberLoss({ delta: 0.5, reduction: "none" }).forward(x, y).shape).toEqual([2, 3]);
    expect(new NLLLoss({ reduction: "none" }).forward(x, [0, 1]).toArray()).toEqual([-0.2, -0.5]);
    expect(new BCELoss().forward(f64([0.5]), f64([1])).item()).toBeCloseTo(Math.LN2, 15);
  });

  it("keep weight and pos_weight as buffers under PyTorch's keys, converted by to(dtype)", () => {
    const ce = new CrossEntropyLoss({ weight: [1, 2, 3] });
    expect(Object.keys(ce.stateDict())).toEqual(["weight"]);
    expect(ce.weight!.dtype).toBe("float32");
    ce.to("float64");
    expect(ce.weight!.dtype).toBe("float64");
    expect(ce.forward(f64([[0, 0, 0]]), [1]).item()).toBeCloseTo(Math.log(3), 14);
    const bce = new BCEWithLogitsLoss({ weight: f64([1]), posWeight: f64([2]) });
    expect(Object.keys(bce.stateDict())).toEqual(["weight", "pos_weight"]);
    expect(bce.posWeight!.data[0]).toBe(2);
    expect(Object.keys(new MSELoss().stateDict())).toEqual([]);
    expect(new NLLLoss().parameters()).toEqual([]);
  });

  it("print as PyTorch's do and reject an unknown reduction when made", () => {
    expect(new CrossEntropyLoss().toString()).toBe("CrossEntropyLoss()");
    expect(() => new MSELoss({ reduction: "avg" as "mean" })).toThrow(core.ValueError);
    expect(() => new KLDivLoss({ reduction: "avg" as "mean" })).toThrow(core.ValueError);
  });

  it("name the dtype clash when a float32 weight meets a float64 input", () => {
    expect(() => new CrossEntropyLoss({ weight: [1, 2, 3] }).forward(f64([[0, 0, 0]]), [1])).toThrow(core.DTypeError);
  });
});
