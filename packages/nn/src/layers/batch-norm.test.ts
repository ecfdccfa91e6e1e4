import { Rng, ShapeError, type Tensor, ValueError, randn, zeros } from "@slope/core";
import { describe, expect, it } from "vitest";
import { BatchNorm1d, BatchNorm2d } from "./batch-norm.js";

/** Per-channel mean and unbiased variance of x [N, C, *] over every axis but 1. */
function channelStats(x: Tensor): { mean: number[]; unbiased: number[] } {
  const [n, c] = x.shape as [number, number];
  const inner = x.size / (n * c);
  const mean: number[] = [];
  const unbiased: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    const values: number[] = [];
    for (let i = 0; i < n; i++) for (let k = 0; k < inner; k++) values.push(x.data[(i * c + ch) * inner + k]!);
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    mean.push(m);
    unbiased.push(values.reduce((a, b) => a + (b - m) ** 2, 0) / (values.length - 1));
  }
  return { mean, unbiased };
}

describe("BatchNorm2d", () => {
  it("starts with weight 1, bias 0, running_mean 0, running_var 1, num_batches_tracked 0 under PyTorch's keys", () => {
    const bn = new BatchNorm2d(3);
    expect(Object.keys(bn.stateDict())).toEqual([
      "weight",
      "bias",
      "running_mean",
      "running_var",
      "num_batches_tracked",
    ]);
    expect([...bn.weight!.value.data]).toEqual([1, 1, 1]);
    expect([...bn.bias!.value.data]).toEqual([0, 0, 0]);
    expect([...bn.runningMean!.data]).toEqual([0, 0, 0]);
    expect([...bn.runningVar!.data]).toEqual([1, 1, 1]);
    expect(bn.numBatchesTracked!.shape).toEqual([]);
    expect(bn.numBatchesTracked!.item()).toBe(0);
    expect(bn.toString()).toBe("BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)");
  });

  it("training updates running stats with momentum 0.1 (unbiased variance) and counts batches", () => {
    const bn = new BatchNorm2d(2, { dtype: "float64" });
    const x = randn([4, 2, 3, 3], { rng: new Rng(1), dtype: "float64", mean: 2, std: 3 });
    bn.forward(x);
    const { mean, unbiased } = channelStats(x);
    for (let c = 0; c < 2; c++) {
      expect(bn.runningMean!.data[c]).toBeCloseTo(0.1 * mean[c]!, 12);
      expect(bn.runningVar!.data[c]).toBeCloseTo(0.9 + 0.1 * unbiased[c]!, 12);
    }
    bn.forward(x);
    expect(bn.numBatchesTracked!.item()).toBe(2);
  });

  it("eval normalises with the running statistics and leaves them and the count alone", () => {
    const bn = new BatchNorm2d(2, { dtype: "float64" });
    bn.runningMean!.data.set([1, -1]);
    bn.runningVar!.data.set([4, 0.25]);
    bn.eval();
    const x = randn([2, 2, 2, 2], { rng: new Rng(2), dtype: "float64" });
    const y = bn.forward(x).value;
    for (let i = 0; i < x.size; i++) {
      const c = Math.floor(i / 4) % 2;
      const expected = (x.data[i]! - [1, -1][c]!) / Math.sqrt([4, 0.25][c]! + 1e-5);
      expect(y.data[i]).toBeCloseTo(expected, 12);
    }
    expect([...bn.runningMean!.data]).toEqual([1, -1]);
    expect(bn.numBatchesTracked!.item()).toBe(0);
  });

  it("momentum null keeps the cumulative average of the batch statistics", () => {
    const bn = new BatchNorm2d(1, { momentum: null, dtype: "float64" });
    const rng = new Rng(3);
    const means: number[] = [];
    for (let step = 0; step < 3; step++) {
      const x = randn([3, 1, 2, 2], { rng, dtype: "float64", mean: step });
      means.push(channelStats(x).mean[0]!);
      bn.forward(x);
    }
    expect(bn.runningMean!.data[0]).toBeCloseTo((means[0]! + means[1]! + means[2]!) / 3, 12);
    expect(bn.toString()).toBe("BatchNorm2d(1, eps=1e-05, momentum=None, affine=True, track_running_stats=True)");
  });

  it("without running stats has no buffers and normalises with the batch's statistics also in eval", () => {
    const bn = new BatchNorm2d(2, { trackRunningStats: false, affine: false, dtype: "float64" });
    expect(Object.keys(bn.stateDict())).toEqual([]);
    expect(bn.namedBuffers()).toEqual([]);
    bn.eval();
    const y = bn.forward(randn([3, 2, 2, 2], { rng: new Rng(4), dtype: "float64", mean: 5 })).value;
    expect(Math.abs(channelStats(y).mean[0]!)).toBeLessThan(1e-12);
  });

  it("rejects a wrong rank, a wrong channel count and a single value per channel in training", () => {
    const bn = new BatchNorm2d(3);
    expect(() => bn.forward(zeros([2, 3, 4]))).toThrow(ShapeError);
    expect(() => bn.forward(zeros([2, 3, 4]))).toThrow(
      "BatchNorm2d: expected a 4-D input [N, C, H, W], got shape [2, 3, 4]",
    );
    expect(() => bn.forward(zeros([2, 4, 2, 2]))).toThrow(
      "BatchNorm2d: expected an input [N, C, H, W] with num_features = 3, got shape [2, 4, 2, 2] (4 num_features)",
    );
    expect(() => bn.forward(zeros([1, 3, 1, 1]))).toThrow(ValueError);
    expect(() => new BatchNorm2d(0)).toThrow(ValueError);
  });
});

describe("BatchNorm1d", () => {
  it("accepts [N, C] and [N, C, L] and rejects [N, C, H, W]", () => {
    const bn = new BatchNorm1d(3);
    expect(bn.forward(randn([4, 3], { rng: new Rng(5) })).shape).toEqual([4, 3]);
    expect(bn.forward(randn([4, 3, 5], { rng: new Rng(6) })).shape).toEqual([4, 3, 5]);
    expect(() => bn.forward(zeros([4, 3, 2, 2]))).toThrow(
      "BatchNorm1d: expected a 2-D or 3-D input [N, C] or [N, C, L], got shape [4, 3, 2, 2]",
    );
    expect(bn.numBatchesTracked!.item()).toBe(2);
  });
});
