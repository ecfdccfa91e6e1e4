import { type FloatArray, Rng, ShapeError, ValueError } from "@slope/core";
import { describe, expect, it } from "vitest";
import { compose } from "./compose.js";
import { randomCrop } from "./random-crop.js";
import { randomHorizontalFlip } from "./random-horizontal-flip.js";
import type { ImageShape } from "./transform.js";

/** The first index where a and b differ bit for bit (NaN equals NaN), or −1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** An rng that hands out the given draws: int() the integers, uniform() the fractions. */
function scripted({ ints = [], uniforms = [] }: { ints?: number[]; uniforms?: number[] }): Rng {
  return {
    int: (n: number) => {
      const k = ints.shift()!;
      if (!(k >= 0 && k < n)) throw new Error(`scripted draw ${k} outside [0, ${n})`);
      return k;
    },
    uniform: () => uniforms.shift()!,
  } as unknown as Rng;
}

/** Two 4 × 4 channels: channel 0 holds 1…16 row by row, channel 1 holds 17…32. */
function twoChannels(count = 1): Float32Array {
  return Float32Array.from({ length: count * 32 }, (_, k) => (k % 32) + 1);
}

/** `size` standard normal draws, in float32 or float64. */
function noise(size: number, seed: number, Type: typeof Float32Array | typeof Float64Array = Float32Array): FloatArray {
  const rng = new Rng(seed),
    out = new Type(size);
  for (let i = 0; i < size; i++) out[i] = rng.normal();
  return out;
}

/** The image row (or column) that padded index k shows in an image of n rows, or −1 for the fill: numpy.pad's modes. */
function padded(k: number, n: number, mode: string): number {
  if (k >= 0 && k < n) return k;
  if (mode === "constant") return -1;
  if (mode === "edge") return Math.min(Math.max(k, 0), n - 1);
  if (mode === "reflect") return k < 0 ? -k : 2 * n - 2 - k;
  return k < 0 ? -1 - k : 2 * n - 1 - k;
}

describe("randomCrop", () => {
  it("with padding 0 and the image's size is the identity, in float32 and float64", () => {
    for (const Type of [Float32Array, Float64Array]) {
      const x = noise(5 * 3 * 8 * 6, 1, Type),
        copy = x.slice();
      randomCrop({ size: [8, 6] }).apply(x, 5, [3, 8, 6], new Rng(2));
      expect(firstDifference(x, copy)).toBe(-1);
    }
  });

  it("cuts the window at the drawn offset of the zero-padded image (2 channels of 4 × 4, by hand)", () => {
    const x = twoChannels(2);
    // image 0: top 1, left 3 of the 8 × 8 padded image; image 1: top 0, left 0.
    randomCrop({ size: 4, padding: 2 }).apply(x, 2, [2, 4, 4], scripted({ ints: [1, 3, 0, 0] }));
    const image0 = [
      0, 0, 0, 0, /**/ 2, 3, 4, 0, /**/ 6, 7, 8, 0, /**/ 10, 11, 12, 0, 0, 0, 0, 0, /**/ 18, 19, 20, 0, /**/ 22, 23, 24,
      0, /**/ 26, 27, 28, 0,
    ];
    const image1 = [
      0, 0, 0, 0, /**/ 0, 0, 0, 0, /**/ 0, 0, 1, 2, /**/ 0, 0, 5, 6, 0, 0, 0, 0, /**/ 0, 0, 0, 0, /**/ 0, 0, 17, 18,
      /**/ 0, 0, 21, 22,
    ];
    expect(Array.from(x)).toEqual([...image0, ...image1]);
  });

  it("fills with `fill`, and mirrors or repeats the border in the other padding modes", () => {
    const crop = (options: object, ints: number[]) => {
      const x = twoChannels();
      randomCrop({ size: 4, padding: 2, ...options }).apply(x, 1, [2, 4, 4], scripted({ ints }));
      return Array.from(x.subarray(0, 16)); // channel 0
    };
    expect(crop({ fill: -7 }, [1, 3])).toEqual([-7, -7, -7, -7, 2, 3, 4, -7, 6, 7, 8, -7, 10, 11, 12, -7]);
    expect(crop({ paddingMode: "reflect" }, [1, 3])).toEqual([6, 7, 8, 7, 2, 3, 4, 3, 6, 7, 8, 7, 10, 11, 12, 11]);
    expect(crop({ paddingMode: "edge" }, [1, 3])).toEqual([2, 3, 4, 4, 2, 3, 4, 4, 6, 7, 8, 8, 10, 11, 12, 12]);
    expect(crop({ paddingMode: "reflect" }, [0, 0])).toEqual([11, 10, 9, 10, 7, 6, 5, 6, 3, 2, 1, 2, 7, 6, 5, 6]);
    expect(crop({ paddingMode: "symmetric" }, [0, 0])).toEqual([6, 5, 5, 6, 2, 1, 1, 2, 2, 1, 1, 2, 6, 5, 5, 6]);
  });

  it("packs crops smaller or larger than the image from the start of the batch, each image its own window", () => {
    const smaller = twoChannels(3);
    randomCrop({ size: 2 }).apply(smaller, 3, [2, 4, 4], scripted({ ints: [0, 0, 2, 1, 1, 2] }));
    expect(Array.from(smaller.subarray(0, 24))).toEqual([
      1,
      2,
      5,
      6,
      /**/ 17,
      18,
      21,
      22, // top 0, left 0
      10,
      11,
      14,
      15,
      /**/ 26,
      27,
      30,
      31, // top 2, left 1
      7,
      8,
      11,
      12,
      /**/ 23,
      24,
      27,
      28, // top 1, left 2
    ]);
    const larger = new Float32Array(3 * 2 * 36);
    larger.set(twoChannels(3));
    // The only window is the padded image itself.
    randomCrop({ size: 6, padding: 1, fill: -1 }).apply(larger, 3, [2, 4, 4], new Rng(0));
    const channel0 = [
      -1, -1, -1, -1, -1, -1, /**/ -1, 1, 2, 3, 4, -1, /**/ -1, 5, 6, 7, 8, -1, -1, 9, 10, 11, 12, -1, /**/ -1, 13, 14,
      15, 16, -1, /**/ -1, -1, -1, -1, -1, -1,
    ];
    const image = [...channel0, ...channel0.map((v) => (v < 0 ? v : v + 16))];
    expect(Array.from(larger)).toEqual([...image, ...image, ...image]);
  });

  it("equals out[c, i, j] = padded[c, top + i, left + j] at every offset, in every padding mode and dtype", () => {
    const cases: [shape: ImageShape, padding: number, size: [number, number]][] = [
      [[3, 6, 7], 3, [6, 7]],
      [[3, 6, 7], 3, [5, 4]],
      [[3, 6, 7], 3, [9, 10]],
      [[2, 2, 3], 5, [2, 3]],
      [[1, 3, 2], 0, [3, 2]], // padding wider than the image; none at all
    ];
    for (const Type of [Float32Array, Float64Array]) {
      for (const paddingMode of ["constant", "edge", "reflect", "symmetric"] as const) {
        for (const [shape, p, size] of cases) {
          const [channels, height, width] = shape,
            [h, w] = size,
            inSize = channels * height * width;
          const mirrorLimit = paddingMode === "reflect" ? Math.min(height, width) - 1 : Math.min(height, width);
          if (paddingMode !== "constant" && paddingMode !== "edge" && p > mirrorLimit) continue;
          const tops = height + 2 * p - h + 1,
            lefts = width + 2 * p - w + 1,
            count = tops * lefts;
          const x = noise(count * Math.max(inSize, channels * h * w), 10, Type),
            source = x.slice();
          const ints = Array.from({ length: count }, (_, n) => [Math.floor(n / lefts), n % lefts]).flat();
          const crop = randomCrop({ size, padding: p, fill: 0.5, paddingMode });
          crop.apply(x, count, shape, scripted({ ints: [...ints] }));
          const expected = new Type(count * channels * h * w);
          for (let n = 0; n < count; n++) {
            const top = ints[2 * n]!,
              left = ints[2 * n + 1]!;
            for (let c = 0; c < channels; c++)
              for (let i = 0; i < h; i++)
                for (let j = 0; j < w; j++) {
                  const r = padded(top + i - p, height, paddingMode),
                    s = padded(left + j - p, width, paddingMode);
                  const value = r < 0 || s < 0 ? 0.5 : source[n * inSize + (c * height + r) * width + s]!;
                  expected[((n * channels + c) * h + i) * w + j] = value;
                }
          }
          const label = `${paddingMode} ${Type.name} image ${shape} padding ${p} size ${size}`;
          expect(firstDifference(x.subarray(0, expected.length), expected), label).toBe(-1);
        }
      }
    }
  });

  it("draws every offset about equally often (10,000 crops: each of 25 offsets within 5 sd of 400)", () => {
    const count = 10_000,
      p = 2;
    const x = new Float64Array(count * 16);
    for (let k = 0; k < x.length; k++) x[k] = (k % 16) + 1;
    randomCrop({ size: 4, padding: p }).apply(x, count, [1, 4, 4], new Rng("offsets"));
    const counts = new Array(25).fill(0);
    for (let n = 0; n < count; n++) {
      const k = x.subarray(n * 16, n * 16 + 16).findIndex((v) => v !== 0); // the first image pixel in the window
      const v = x[n * 16 + k]! - 1,
        i = Math.floor(k / 4),
        j = k % 4;
      const top = i - Math.floor(v / 4) + p,
        left = j - (v % 4) + p;
      counts[top * 5 + left]++;
    }
    const sd = Math.sqrt(count * (1 / 25) * (24 / 25)); // binomial: 19.6
    for (const c of counts) expect(Math.abs(c - 400)).toBeLessThan(5 * sd);
  });

  it("passes NaN through", () => {
    const x = twoChannels();
    x[5] = NaN;
    randomCrop({ size: 4, padding: 1 }).apply(x, 1, [2, 4, 4], scripted({ ints: [1, 1] }));
    expect(Number.isNaN(x[5])).toBe(true);
  });

  it("names bad options and images that do not fit", () => {
    expect(() => randomCrop({ size: 32, padding: -1 })).toThrow(ValueError);
    expect(() => randomCrop({ size: 32, padding: -1 })).toThrow(/padding must be a whole number ≥ 0, got -1/);
    expect(() => randomCrop({ size: 0 })).toThrow(/size must be a positive whole number or \[height, width\], got 0/);
    expect(() => randomCrop({ size: [32, 32, 3] as never })).toThrow(/got \[32, 32, 3\]/);
    expect(() => randomCrop({ size: 32, paddingMode: "wrap" as never })).toThrow(/paddingMode must be/);
    expect(() => randomCrop({ size: 41, padding: 4 }).outputShape([3, 32, 32])).toThrow(
      /size \[41, 41\] is larger than the padded image \[40, 40\]/,
    );
    expect(() => randomCrop({ size: 4, padding: 4, paddingMode: "reflect" }).outputShape([1, 4, 4])).toThrow(
      /"reflect" padding must be at most 3/,
    );
    expect(() => randomCrop({ size: 4 }).apply(new Float32Array(31), 2, [1, 4, 4], new Rng(0))).toThrow(ShapeError);
  });
});

describe("randomHorizontalFlip", () => {
  it("mirrors each row of every channel", () => {
    const x = twoChannels();
    randomHorizontalFlip({ p: 1 }).apply(x, 1, [2, 4, 4], new Rng(0));
    expect(Array.from(x.subarray(0, 8))).toEqual([4, 3, 2, 1, 8, 7, 6, 5]);
    expect(Array.from(x.subarray(16, 20))).toEqual([20, 19, 18, 17]);
  });

  it("flipping twice with the same draws is the identity, for odd and even widths", () => {
    for (const shape of [
      [3, 5, 7],
      [2, 4, 4],
    ] as ImageShape[]) {
      const size = 20 * shape[0] * shape[1] * shape[2];
      const x = noise(size, 3),
        copy = x.slice();
      const flip = randomHorizontalFlip();
      const rng = new Rng(4),
        again = Rng.fromState(rng.state());
      flip.apply(x, 20, shape, rng);
      expect(firstDifference(x, copy)).not.toBe(-1);
      flip.apply(x, 20, shape, again);
      expect(firstDifference(x, copy)).toBe(-1);
    }
  });

  it("p = 0 never flips and p = 1 always does", () => {
    const x = noise(50 * 2 * 16, 5),
      copy = x.slice();
    randomHorizontalFlip({ p: 0 }).apply(x, 50, [2, 4, 4], new Rng(6));
    expect(firstDifference(x, copy)).toBe(-1);
    randomHorizontalFlip({ p: 1 }).apply(x, 50, [2, 4, 4], new Rng(7));
    for (let n = 0; n < 50; n++) for (let j = 0; j < 4; j++) expect(x[n * 32 + j]).toBe(copy[n * 32 + 3 - j]);
  });

  it("flips a fraction p of the images (10,000 images at p = 0.3: within 5 standard deviations of 3,000)", () => {
    const count = 10_000;
    const x = new Float32Array(count * 2);
    for (let n = 0; n < count; n++) x[2 * n] = 1; // [1, 0] flipped is [0, 1]
    randomHorizontalFlip({ p: 0.3 }).apply(x, count, [1, 1, 2], new Rng("flips"));
    let flipped = 0;
    for (let n = 0; n < count; n++) flipped += x[2 * n + 1]!;
    expect(Math.abs(flipped - 3000)).toBeLessThan(5 * Math.sqrt(count * 0.3 * 0.7));
  });

  it("unknown option names are ValueErrors, not silently ignored", () => {
    expect(() => randomCrop({ size: 32, pading: 4 } as never)).toThrow(/randomCrop: unknown option "pading"/);
    expect(() => randomHorizontalFlip({ prob: 1 } as never)).toThrow(/randomHorizontalFlip: unknown option "prob"/);
  });

  it("names p outside [0, 1]", () => {
    for (const p of [-0.1, 1.5, NaN]) expect(() => randomHorizontalFlip({ p })).toThrow(/p must be in \[0, 1\], got/);
  });
});

describe("compose", () => {
  it("applies its transforms in turn, each drawing from the one rng in turn", () => {
    const shape: ImageShape = [3, 8, 8];
    const x = noise(10 * 192, 8);
    const expected = x.slice();
    const rng = new Rng(9),
      probe = Rng.fromState(rng.state());
    compose([randomCrop({ size: 8, padding: 2 }), randomHorizontalFlip()]).apply(x, 10, shape, rng);
    randomCrop({ size: 8, padding: 2 }).apply(expected, 10, shape, probe);
    randomHorizontalFlip().apply(expected, 10, shape, probe);
    expect(firstDifference(x, expected)).toBe(-1);
  });

  it("chains output shapes, and refuses a chain whose middle image is larger than both ends", () => {
    expect(compose([randomCrop({ size: 28 }), randomHorizontalFlip()]).outputShape([3, 32, 32])).toEqual([3, 28, 28]);
    const growing = compose([randomCrop({ size: 40, padding: 4 }), randomCrop({ size: 32 })]);
    expect(() => growing.outputShape([3, 32, 32])).toThrow(/\[3, 40, 40\] along the way is larger/);
    expect(() => compose([{} as never])).toThrow(/expected an array of transforms/);
  });
});
