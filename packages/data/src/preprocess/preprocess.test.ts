import { IndexError, Rng, ShapeError, ValueError, full, gather, zeros } from "@slope/core";
import { describe, expect, it } from "vitest";
import { IMAGE_BYTES } from "../cifar/format.js";
import { syntheticCifar } from "../synthetic/synthetic-cifar.js";
import { gaussianBlobs, spirals } from "../synthetic/toy-2d.js";
import { DataLoader } from "../data-loader.js";
import { ImageFeatures, appendBias, channelStatistics, meanImage, normalizeChannels, toFeatures } from "./features.js";
import { courseSplits, pickImages, sliceImages } from "./splits.js";

const images = Uint8Array.from({ length: 2 * IMAGE_BYTES }, (_, i) => i % 251);

describe("preprocessing", () => {
  it("toFeatures: flat rows in the file's order, or image-shaped NCHW / NHWC, in either dtype", () => {
    const flat = toFeatures(images, 2, { dtype: "float64" });
    expect(flat.shape).toEqual([2, 3072]);
    expect(flat.dtype).toBe("float64");
    expect(flat.get(1, 5)).toBe(images[IMAGE_BYTES + 5]);
    const nchw = toFeatures(images, 2, { layout: "nchw" });
    expect(nchw.shape).toEqual([2, 3, 32, 32]);
    expect(nchw.get(1, 2, 3, 4)).toBe(images[IMAGE_BYTES + 2 * 1024 + 3 * 32 + 4]);
    const nhwc = toFeatures(images, 2, { layout: "nhwc" });
    expect(nhwc.shape).toEqual([2, 32, 32, 3]);
    expect(nhwc.get(1, 3, 4, 2)).toBe(images[IMAGE_BYTES + 2 * 1024 + 3 * 32 + 4]);
  });

  it("mean subtraction, scaling and the bias trick happen in the same pass", () => {
    const mean = meanImage(images, 2, "float64");
    expect(mean.get(7)).toBe((images[7]! + images[IMAGE_BYTES + 7]!) / 2);
    const x = toFeatures(images, 2, { dtype: "float64", mean, scale: 255, bias: true });
    expect(x.shape).toEqual([2, 3073]);
    expect(x.get(0, 7)).toBeCloseTo((images[7]! - mean.get(7)) / 255, 15);
    expect(x.get(0, 3072)).toBe(1);
    expect(x.get(1, 3072)).toBe(1);
    expect(() => toFeatures(images, 2, { bias: true, layout: "nhwc" })).toThrow(/bias column needs layout "flat"/);
  });

  it("ImageFeatures makes a batch's features as it is gathered: the formula's bits, in every layout and dtype", () => {
    const rng = new Rng("image-features");
    const count = 300;
    const bytes = Uint8Array.from({ length: count * IMAGE_BYTES }, () => rng.int(256));
    const mean = meanImage(bytes, count);
    const rows = Int32Array.from({ length: 64 }, () => rng.int(count));
    for (const options of [
      { mean, scale: 64, bias: true },
      { scale: 255 },
      {},
      { mean, layout: "nhwc" as const },
      { mean, dtype: "float64" as const, bias: true },
    ]) {
      const features = new ImageFeatures(bytes, count, options);
      const batch = features.gather(rows);
      expect(batch.shape).toEqual([64, ...features.shape.slice(1)]);
      // Against the definition, x = (pixel − mean)/scale taken as (pixel − mean)·(1/scale), at each value's place in the layout.
      const width = options.bias ? 3073 : 3072;
      for (let r = 0; r < 64; r++) {
        for (let k = 0; k < IMAGE_BYTES; k++) {
          const value =
            (bytes[rows[r]! * IMAGE_BYTES + k]! - (options.mean ? mean.data[k]! : 0)) * (1 / (options.scale ?? 1));
          const at = options.layout === "nhwc" ? r * 3072 + (k % 1024) * 3 + Math.floor(k / 1024) : r * width + k;
          if (batch.data[at] !== (options.dtype === "float64" ? value : Math.fround(value)))
            throw new Error(`row ${r}, value ${k}: ${batch.data[at]} ≠ ${value}`);
        }
        if (options.bias) expect(batch.data[r * width + 3072]).toBe(1);
      }
      // The same bits as those rows of the whole tensor.
      const whole = toFeatures(bytes, count, options);
      expect(Buffer.from(batch.data.buffer).equals(Buffer.from(gather(whole, rows).data.buffer))).toBe(true);
    }
  });

  it("ImageFeatures checks its rows and its out, and a DataLoader over it gives the float tensor's batches", () => {
    const features = new ImageFeatures(images, 2, { bias: true });
    // Each way in names itself in its errors.
    expect(() => new ImageFeatures(images, 3)).toThrow(/^ImageFeatures: 3 images need 9216 bytes, got 6144$/);
    expect(() => toFeatures(images, 3)).toThrow(/^toFeatures: 3 images need 9216 bytes, got 6144$/);
    expect(() => new ImageFeatures(images, 2, { scale: 0 })).toThrow(ValueError);
    expect(() => features.gather([0, 2])).toThrow(IndexError);
    expect(() => features.gather([0, 2])).toThrow(/index 2 at position 1 is outside \[0, 2\)/);
    expect(() => features.gather([0], { out: zeros([1, 3072]) })).toThrow(ShapeError);
    const out = zeros([2, 3073]);
    expect(features.gather([1, 0], { out })).toBe(out);
    const labels = [3, 7];
    const lazy = new DataLoader(features, labels, { batchSize: 1, shuffle: true, rng: new Rng(5) });
    const eager = new DataLoader(toFeatures(images, 2, { bias: true }), labels, {
      batchSize: 1,
      shuffle: true,
      rng: new Rng(5),
    });
    for (let i = 0; i < 4; i++) {
      const a = lazy.next(),
        b = eager.next();
      expect(a.x.toArray()).toEqual(b.x.toArray());
      expect([...a.y]).toEqual([...b.y]);
    }
  });

  it("channel statistics and per-channel normalisation", () => {
    const { mean, std } = channelStatistics(images, 2);
    const x = normalizeChannels(toFeatures(images, 2, { dtype: "float64", layout: "nhwc" }), "nhwc", mean, std);
    const after = [0, 1, 2].map((c) => {
      let s = 0;
      for (let i = c; i < x.size; i += 3) s += x.data[i]!;
      return s / (x.size / 3);
    });
    for (const m of after) expect(Math.abs(m)).toBeLessThan(1e-12);
    expect(appendBias(toFeatures(images, 2)).shape).toEqual([2, 3073]);
  });

  it("the course's splits: 49,000 / 1,000 / 1,000 / 500, train and val as views, dev from train", () => {
    const train = syntheticCifar({ count: 60, rng: new Rng(1) });
    const test = syntheticCifar({ count: 20, rng: new Rng(2) });
    const s = courseSplits(train, test, { training: 49, validation: 10, test: 10, dev: 5, rng: new Rng(3) });
    expect([s.train.count, s.val.count, s.test.count, s.dev.count]).toEqual([49, 10, 10, 5]);
    expect(s.train.images.buffer).toBe(train.images.buffer);
    expect(s.val.labels[0]).toBe(train.labels[49]);
    expect(Array.from(sliceImages(train, 2, 4).labels)).toEqual(Array.from(train.labels.subarray(2, 4)));
    expect(Array.from(pickImages(train, [5, 1]).labels)).toEqual([train.labels[5], train.labels[1]]);
    expect(() => courseSplits(train, test, { training: 55, validation: 10, rng: new Rng(0) })).toThrow(
      /need 65, the training set has 60/,
    );
  });
});

describe("unknown options and option values are ValueErrors, never a silent default", () => {
  it('toFeatures({ layout: "chw" }) and ImageFeatures with a typo in a name or a value are refused', () => {
    expect(() => toFeatures(images, 2, { layout: "chw" as never })).toThrow(
      /toFeatures: layout must be "flat" or "nchw" or "nhwc", got "chw"/,
    );
    expect(() => new ImageFeatures(images, 2, { layuot: "nchw" } as never)).toThrow(
      /ImageFeatures: unknown option "layuot"/,
    );
    expect(() => toFeatures(images, 2, { dtype: "float16" as never })).toThrow(ValueError);
    expect(() => toFeatures(images, 2, { bias: 1 as never })).toThrow(ValueError);
    expect(() => toFeatures(images, 2, null as never)).toThrow(ValueError);
    expect(() => meanImage(images, 2, "int8" as never)).toThrow(ValueError);
    expect(() => normalizeChannels(toFeatures(images, 2), "chw" as never, [0, 0, 0], [1, 1, 1])).toThrow(ValueError);
    // A shape that is not whole images would be left untouched (no rows) or read across image boundaries.
    const three = [0, 0, 0],
      one = [1, 1, 1];
    expect(() => normalizeChannels(zeros([3072]), "flat", three, one)).toThrow(
      new ShapeError("normalizeChannels: expected flat images as [N, D] with D ≥ 3072, got [3072]"),
    );
    expect(() => normalizeChannels(zeros([4, 1000]), "flat", three, one)).toThrow(
      /\[N, D\] with D ≥ 3072, got \[4, 1000\]/,
    );
    expect(() => normalizeChannels(zeros([2, 3, 32, 31]), "nchw", three, one)).toThrow(
      new ShapeError("normalizeChannels: expected nchw images as whole images of 3072 values, got [2, 3, 32, 31]"),
    );
    const withBias = normalizeChannels(full([2, 3073], 3, { dtype: "float64" }), "flat", [1, 1, 1], [2, 2, 2]);
    expect([withBias.get(1, 0), withBias.get(1, 3071), withBias.get(1, 3072)]).toEqual([1, 1, 3]);
  });

  it("a fractional slice, a count past the images, or no images are ValueErrors, not silently rounded", () => {
    const set = { images, labels: new Uint8Array(2), count: 2 };
    expect(() => sliceImages(set, 0.5, 1)).toThrow(/sliceImages: \[0.5, 1\) is not a whole range/);
    expect(() => channelStatistics(images, 3)).toThrow(ValueError);
    expect(() => channelStatistics(images, 0)).toThrow(ValueError);
    expect(() => meanImage(images, 5)).toThrow(/meanImage: 5 images need/);
  });

  it("the splits and the synthetic sets refuse unknown options", () => {
    const set = { images, labels: new Uint8Array(2), count: 2 };
    const typo = { training: 1, validation: 1, test: 1, dev: 1, rng: new Rng(1), valdation: 1 };
    expect(() => courseSplits(set, set, typo as never)).toThrow(/unknown option "valdation"/);
    expect(() => courseSplits(set, set, { training: -1, validation: 1, test: 1, dev: 0, rng: new Rng(1) })).toThrow(
      ValueError,
    );
    expect(() => syntheticCifar({ count: 2, rng: new Rng(1), clases: 3 } as never)).toThrow(ValueError);
    expect(() => gaussianBlobs({ count: 2, rng: new Rng(1), noise: 3 } as never)).toThrow(/unknown option "noise"/);
    expect(() => spirals({ count: 2, rng: new Rng(1), std: 3 } as never)).toThrow(/unknown option "std"/);
    expect(() => spirals({ count: 2, rng: new Rng(1), dtype: "f32" } as never)).toThrow(ValueError);
  });
});

describe("synthetic data", () => {
  it("the CIFAR-shaped set is deterministic, balanced and labelled with CIFAR-10's names", () => {
    const a = syntheticCifar({ count: 100, rng: new Rng(5) });
    const b = syntheticCifar({ count: 100, rng: new Rng(5) });
    expect(Buffer.from(a.images).equals(Buffer.from(b.images))).toBe(true);
    expect(a.images.length).toBe(100 * IMAGE_BYTES);
    const counts = new Array(10).fill(0);
    for (const l of a.labels) counts[l]++;
    expect(counts).toEqual(new Array(10).fill(10));
    expect(a.labelNames[3]).toBe("cat");
  });

  it("the CIFAR-shaped set refuses shifts, variants, distractors and noise that would index past its templates", () => {
    const rng = new Rng(5);
    expect(() => syntheticCifar({ count: 4, rng, maxShift: 1.5 })).toThrow(
      new ValueError("syntheticCifar: maxShift must be a non-negative integer, got 1.5"),
    );
    expect(() => syntheticCifar({ count: 4, rng, maxShift: -1 })).toThrow(/maxShift must be a non-negative integer/);
    expect(() => syntheticCifar({ count: 4, rng, variants: 0 })).toThrow(
      new ValueError("syntheticCifar: variants must be a positive integer, got 0"),
    );
    expect(() => syntheticCifar({ count: 4, rng, distractors: 0.5 })).toThrow(
      /distractors must be a non-negative integer/,
    );
    expect(() => syntheticCifar({ count: 4, rng, noise: NaN })).toThrow(/noise must be a finite number ≥ 0, got NaN/);
    const plain = syntheticCifar({ count: 4, rng: new Rng(5), maxShift: 0, variants: 1, distractors: 0, noise: 0 });
    expect(plain.images.length).toBe(4 * IMAGE_BYTES);
  });

  it("blobs and spirals have the asked-for size and classes", () => {
    const blobs = gaussianBlobs({ count: 30, rng: new Rng(6) });
    expect(blobs.x.shape).toEqual([30, 2]);
    expect(new Set(blobs.y).size).toBe(3);
    const spiral = spirals({ count: 300, classes: 3, rng: new Rng(7) });
    expect(spiral.x.shape).toEqual([300, 2]);
    let maxRadius = 0;
    for (let i = 0; i < 300; i++)
      maxRadius = Math.max(maxRadius, Math.hypot(spiral.x.data[2 * i]!, spiral.x.data[2 * i + 1]!));
    expect(maxRadius).toBeCloseTo(1, 6);
  });
});
