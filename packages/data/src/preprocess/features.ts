import { type DType, type Tensor, ValueError, allocate, fromData } from "@slope/core";
import { IMAGE_BYTES } from "../cifar/format.js";

/** How images are laid out as floats: flat rows [N, 3072] (the file's R, G, B planes), or image-shaped. */
export type ImageLayout = "flat" | "nchw" | "nhwc";

/** Options of `toFeatures`. */
export interface FeatureOptions {
  dtype?: DType;
  layout?: ImageLayout;
  /** A [3072] mean image (in flat order) subtracted from every image, e.g. the training split's. */
  mean?: Tensor;
  /** Divide by this after subtracting (255 maps pixels to [0, 1]). */
  scale?: number;
  /** The bias trick: append a column of ones, so s = [x, 1]·[W; b] (flat layout only). */
  bias?: boolean;
}

/**
 * Converts uint8 images (count × 3072 bytes, R, G, B planes) to a float tensor in one pass:
 * optional mean subtraction, scaling and bias column, with no intermediate copy.
 */
export function toFeatures(images: Uint8Array, count: number, options: FeatureOptions = {}): Tensor {
  const { dtype = "float32", layout = "flat", mean, scale = 1, bias = false } = options;
  if (images.length < count * IMAGE_BYTES) throw new ValueError(`toFeatures: ${count} images need ${count * IMAGE_BYTES} bytes, got ${images.length}`);
  if (mean && mean.size !== IMAGE_BYTES) throw new ValueError(`toFeatures: the mean image must have ${IMAGE_BYTES} values, got ${mean.size}`);
  if (bias && layout !== "flat") throw new ValueError(`toFeatures: the bias column needs layout "flat", got "${layout}"`);
  if (!(scale > 0)) throw new ValueError(`toFeatures: scale must be > 0, got ${scale}`);
  const width = IMAGE_BYTES + (bias ? 1 : 0);
  const out = allocate(dtype, count * width);
  const m = mean?.data;
  const inverse = 1 / scale;
  for (let n = 0; n < count; n++) {
    const from = n * IMAGE_BYTES, to = n * width;
    if (layout === "nhwc") {
      // Planes (c, h, w) → interleaved (h, w, c).
      for (let c = 0; c < 3; c++) {
        for (let p = 0; p < 1024; p++) {
          const k = c * 1024 + p;
          out[to + p * 3 + c] = (images[from + k]! - (m ? m[k]! : 0)) * inverse;
        }
      }
    } else if (m) {
      for (let k = 0; k < IMAGE_BYTES; k++) out[to + k] = (images[from + k]! - m[k]!) * inverse;
    } else if (inverse !== 1) {
      for (let k = 0; k < IMAGE_BYTES; k++) out[to + k] = images[from + k]! * inverse;
    } else {
      out.set(images.subarray(from, from + IMAGE_BYTES), to); // a native uint8 → float copy
    }
    if (bias) out[to + IMAGE_BYTES] = 1;
  }
  const shape = layout === "flat" ? [count, width] : layout === "nchw" ? [count, 3, 32, 32] : [count, 32, 32, 3];
  return fromData(out, shape);
}

/** The mean image [3072] (flat order) of uint8 images, accumulated in float64. Take it from the training split only. */
export function meanImage(images: Uint8Array, count: number, dtype: DType = "float32"): Tensor {
  if (count <= 0) throw new ValueError(`meanImage: need at least one image, got ${count}`);
  const sums = new Float64Array(IMAGE_BYTES);
  for (let n = 0; n < count; n++) {
    const from = n * IMAGE_BYTES;
    for (let k = 0; k < IMAGE_BYTES; k++) sums[k] += images[from + k]!;
  }
  const out = allocate(dtype, IMAGE_BYTES);
  for (let k = 0; k < IMAGE_BYTES; k++) out[k] = sums[k]! / count;
  return fromData(out, [IMAGE_BYTES]);
}

/** Per-channel mean and standard deviation (R, G, B) on the 0–255 scale, over every pixel of every image. */
export function channelStatistics(images: Uint8Array, count: number): { mean: [number, number, number]; std: [number, number, number] } {
  const sum = [0, 0, 0], squares = [0, 0, 0];
  for (let n = 0; n < count; n++) {
    for (let c = 0; c < 3; c++) {
      const from = n * IMAGE_BYTES + c * 1024;
      let s = 0, q = 0;
      for (let p = 0; p < 1024; p++) { const v = images[from + p]!; s += v; q += v * v; }
      sum[c]! += s;
      squares[c]! += q;
    }
  }
  const pixels = count * 1024;
  const mean = sum.map((s) => s / pixels) as [number, number, number];
  const std = squares.map((q, c) => Math.sqrt(Math.max(q / pixels - mean[c]! ** 2, 0))) as [number, number, number];
  return { mean, std };
}

/**
 * Per-channel normalisation in place, (x − mean_c) / std_c, on a float tensor of images in any
 * layout (flat and nchw keep channels as planes, nhwc interleaves them).
 */
export function normalizeChannels(x: Tensor, layout: ImageLayout, mean: readonly number[], std: readonly number[]): Tensor {
  if (mean.length !== 3 || std.length !== 3 || std.some((s) => !(s > 0))) throw new ValueError("normalizeChannels: expected three means and three positive standard deviations");
  const perImage = layout === "flat" ? x.shape[1]! : IMAGE_BYTES;
  const count = x.size / perImage;
  const data = x.data;
  for (let n = 0; n < count; n++) {
    for (let k = 0; k < IMAGE_BYTES; k++) {
      const c = layout === "nhwc" ? k % 3 : Math.floor(k / 1024);
      const i = n * perImage + k;
      data[i] = (data[i]! - mean[c]!) / std[c]!;
    }
  }
  return x;
}

/** The bias trick on a float matrix: [N, D] → [N, D + 1] with a last column of ones. */
export function appendBias(x: Tensor): Tensor {
  if (x.shape.length !== 2) throw new ValueError(`appendBias: expected a matrix [N, D], got rank ${x.shape.length}`);
  const [n, d] = x.shape as [number, number];
  const out = allocate(x.dtype, n * (d + 1));
  for (let i = 0; i < n; i++) {
    out.set(x.data.subarray(i * d, (i + 1) * d), i * (d + 1));
    out[i * (d + 1) + d] = 1;
  }
  return fromData(out, [n, d + 1]);
}
