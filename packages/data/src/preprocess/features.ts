import {
  type DType,
  type FloatArray,
  type GatherOptions,
  ShapeError,
  type Tensor,
  ValueError,
  formatShape,
  fromData,
} from "@slope/core";
import { allocate, keepingOwner, kernelMemory, kernels, ownedArray, rowsOutput } from "@slope/core/internal";
import { IMAGE_BYTES } from "../cifar/format.js";
import { checkChoice, checkOptions } from "../options.js";

/** How images are laid out as floats: flat rows [N, 3072] (the file's R, G, B planes), or image-shaped. */
export type ImageLayout = "flat" | "nchw" | "nhwc";

/** Options of `toFeatures`. */
export interface FeatureOptions {
  /** The features' dtype (float32 by default). */
  dtype?: DType;
  /** "flat" rows [N, 3072] (the default), or image-shaped "nchw" [N, 3, 32, 32] or "nhwc" [N, 32, 32, 3]. */
  layout?: ImageLayout;
  /** A [3072] mean image (in flat order) subtracted from every image, e.g. the training split's. */
  mean?: Tensor;
  /** Divide by this after subtracting (255 maps pixels to [0, 1]). */
  scale?: number;
  /** The bias trick: append a column of ones, so s = [x, 1]·[W; b] (flat layout only). */
  bias?: boolean;
}

/**
 * The float features of uint8 images (count × 3072 bytes, R, G, B planes), made a batch at a time:
 * x = (pixel − mean)/scale, in the layout asked for, with the bias column when asked for. Holds only
 * the bytes, a quarter of the floats' memory (CIFAR-10's 50,000 training images: 154 MB rather
 * than 614 MB), and pays for each batch's conversion as the batch is gathered, as torchvision's
 * `ToTensor` does. The bytes and the mean image are copied once into the kernel memory, where the
 * kernels gather and convert each batch in place (into a loader's batch, which lives there too). `gather(rows)` gives exactly the bits of those rows of `toFeatures`; a DataLoader
 * takes an ImageFeatures wherever it takes a tensor.
 */
export class ImageFeatures {
  /** The shape of the whole feature tensor: [count, 3072 (+1)], or image-shaped. */
  readonly shape: readonly number[];
  /** The features' dtype. */
  readonly dtype: DType;
  /** How each batch is made: from the bytes and the mean image in the kernel memory. */
  private readonly layout: FeatureLayout;

  /** The images' bytes, count × 3,072 (a copy in the kernel memory when there is one). */
  get images(): Uint8Array {
    return this.layout.images;
  }

  /**
   * @param images The images' bytes, count × 3,072 in the file's R, G, B plane order (copied into the kernel memory
   *   where there is one; else used as they are).
   * @param count How many images.
   */
  constructor(
    images: Uint8Array,
    readonly count: number,
    options: FeatureOptions = {},
  ) {
    checkFeatureInput("ImageFeatures", images, count, options);
    const layout = featureLayout(images, count, options);
    this.layout = { ...layout, images: inKernelMemory(layout.images), mean: layout.mean && ownedCopy(layout.mean) };
    this.shape = layout.shape;
    this.dtype = layout.dtype;
  }

  /**
   * The features of images `rows`: a tensor [rows.length, ...shape[1:]], equal bit for bit to those
   * rows of the whole tensor. Pass `out` to reuse one buffer for every batch.
   */
  gather(rows: ArrayLike<number>, options: GatherOptions = {}): Tensor {
    const out = rowsOutput("ImageFeatures.gather", this.shape, this.dtype, rows, options.out);
    writeFeatures(this.layout, out.data, rows);
    return out;
  }

  /** All the images' features at once (what `toFeatures` returns). */
  toTensor(): Tensor {
    return allFeatures(this.layout, this.count);
  }
}

/** How images become features: the bytes and mean image read, the layout, the factor, the bias column. */
interface FeatureLayout {
  images: Uint8Array;
  mean: FloatArray | null;
  layout: ImageLayout;
  factor: number;
  bias: boolean;
  dtype: DType;
  shape: readonly number[];
  /** Floats per image. */
  width: number;
}

/** The layout `options` ask for over the first `count` images of `images` (checked already), reading them in place. */
function featureLayout(images: Uint8Array, count: number, options: FeatureOptions): FeatureLayout {
  const { dtype = "float32", layout = "flat", mean, scale = 1, bias = false } = options;
  const length = count * IMAGE_BYTES;
  return {
    images: keepingOwner(length === images.length ? images : images.subarray(0, length), images),
    mean: mean?.data ?? null,
    layout,
    factor: 1 / scale,
    bias,
    dtype,
    shape:
      layout === "flat"
        ? [count, IMAGE_BYTES + (bias ? 1 : 0)]
        : layout === "nchw"
          ? [count, 3, 32, 32]
          : [count, 32, 32, 3],
    width: IMAGE_BYTES + (bias ? 1 : 0),
  };
}

/** Writes the features of images `rows` into consecutive rows of `out`. */
function writeFeatures(f: FeatureLayout, out: FloatArray, rows: ArrayLike<number>): void {
  const { width, mean: m, factor, images } = f;
  if (f.layout !== "nhwc") {
    // Flat and nchw keep the file's plane order: one row of bytes to one row of floats.
    kernels().bytesToFloats(out, width, images, IMAGE_BYTES, rows, m, factor);
    if (f.bias) for (let r = 0; r < rows.length; r++) out[r * width + IMAGE_BYTES] = 1;
    return;
  }
  // Planes (c, h, w) → interleaved (h, w, c).
  for (let r = 0; r < rows.length; r++) {
    const from = rows[r]! * IMAGE_BYTES,
      to = r * width;
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < 1024; p++) {
        const k = c * 1024 + p;
        out[to + p * 3 + c] = (images[from + k]! - (m ? m[k]! : 0)) * factor;
      }
    }
  }
}

/** Every image's features, as one tensor. */
function allFeatures(f: FeatureLayout, count: number): Tensor {
  const out = allocate(f.dtype, count * f.width);
  writeFeatures(
    f,
    out,
    Int32Array.from({ length: count }, (_, i) => i),
  );
  return fromData(out, f.shape);
}

/**
 * `images` copied into the kernel memory, where the kernels gather them in place; `images` itself where there is
 * none, it is full, or they live there already.
 */
function inKernelMemory(images: Uint8Array): Uint8Array {
  const memory = kernelMemory();
  if (memory === null || memory.holds(images)) return images;
  const owned = memory.ownBytes(images.length); // null under the copy policy, or when the memory is full
  if (owned === null) return images;
  owned.set(images);
  return owned;
}

/** A float array copied into owned storage (the kernel memory where there is one). */
function ownedCopy(data: FloatArray): FloatArray {
  const copy = ownedArray(data instanceof Float64Array ? "float64" : "float32", data.length);
  copy.set(data);
  return copy;
}

/**
 * Converts uint8 images (count × 3072 bytes, R, G, B planes) to a float tensor in one pass:
 * x = (pixel − mean)/scale, optional mean subtraction, scaling and bias column, with no
 * intermediate copy. For a large set, `ImageFeatures` converts a batch at a time instead.
 */
export function toFeatures(images: Uint8Array, count: number, options: FeatureOptions = {}): Tensor {
  checkFeatureInput("toFeatures", images, count, options);
  // Every image converted once, from the bytes where they are: copying them into the kernel memory would not pay.
  return allFeatures(featureLayout(images, count, options), count);
}

/** Throws a ValueError, named for `caller`, when the images, their count or the options don't fit together. */
function checkFeatureInput(caller: string, images: Uint8Array, count: number, options: FeatureOptions): void {
  checkOptions(caller, options, ["dtype", "layout", "mean", "scale", "bias"]);
  checkChoice(caller, "layout", options.layout, ["flat", "nchw", "nhwc"]);
  checkChoice(caller, "dtype", options.dtype, ["float32", "float64"]);
  checkChoice(caller, "bias", options.bias, [true, false]);
  const { layout = "flat", mean, scale = 1, bias = false } = options;
  if (!(images instanceof Uint8Array)) throw new ValueError(`${caller}: images must be a Uint8Array of pixel bytes`);
  if (!Number.isInteger(count) || count < 0)
    throw new ValueError(`${caller}: count must be a whole number ≥ 0, got ${count}`);
  if (images.length < count * IMAGE_BYTES)
    throw new ValueError(`${caller}: ${count} images need ${count * IMAGE_BYTES} bytes, got ${images.length}`);
  const floats = (d: unknown) => d instanceof Float32Array || d instanceof Float64Array;
  if (mean !== undefined && (typeof mean !== "object" || mean === null || !floats(mean.data))) {
    throw new ValueError(`${caller}: mean must be a tensor of ${IMAGE_BYTES} values`);
  }
  if (mean && mean.size !== IMAGE_BYTES)
    throw new ValueError(`${caller}: the mean image must have ${IMAGE_BYTES} values, got ${mean.size}`);
  if (bias && layout !== "flat")
    throw new ValueError(`${caller}: the bias column needs layout "flat", got "${layout}"`);
  if (!(scale > 0)) throw new ValueError(`${caller}: scale must be > 0, got ${scale}`);
}

/** The mean image [3072] (flat order) of uint8 images, accumulated in float64. Take it from the training split only. */
export function meanImage(images: Uint8Array, count: number, dtype: DType = "float32"): Tensor {
  if (!Number.isInteger(count) || count <= 0) throw new ValueError(`meanImage: need at least one image, got ${count}`);
  checkChoice("meanImage", "dtype", dtype, ["float32", "float64"]);
  if (images.length < count * IMAGE_BYTES) {
    throw new ValueError(`meanImage: ${count} images need ${count * IMAGE_BYTES} bytes, got ${images.length}`);
  }
  const sums = new Float64Array(IMAGE_BYTES);
  for (let n = 0; n < count; n++) {
    const from = n * IMAGE_BYTES;
    for (let k = 0; k < IMAGE_BYTES; k++) sums[k]! += images[from + k]!;
  }
  const out = allocate(dtype, IMAGE_BYTES);
  for (let k = 0; k < IMAGE_BYTES; k++) out[k] = sums[k]! / count;
  return fromData(out, [IMAGE_BYTES]);
}

/** Per-channel mean and standard deviation (R, G, B) on the 0–255 scale, over every pixel of every image. */
export function channelStatistics(
  images: Uint8Array,
  count: number,
): {
  /** The mean of each channel, R, G, B. */
  mean: [number, number, number];
  /** The population standard deviation of each channel, √(E[v²] − mean²). */
  std: [number, number, number];
} {
  if (!Number.isInteger(count) || count <= 0 || images.length < count * IMAGE_BYTES) {
    throw new ValueError(
      `channelStatistics: expected at least one image and ${IMAGE_BYTES} bytes per image, ` +
        `got count ${count} and ${images.length} bytes`,
    );
  }
  const sum = [0, 0, 0],
    squares = [0, 0, 0];
  for (let n = 0; n < count; n++) {
    for (let c = 0; c < 3; c++) {
      const from = n * IMAGE_BYTES + c * 1024;
      let s = 0,
        q = 0;
      for (let p = 0; p < 1024; p++) {
        const v = images[from + p]!;
        s += v;
        q += v * v;
      }
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
export function normalizeChannels(
  x: Tensor,
  layout: ImageLayout,
  mean: readonly number[],
  std: readonly number[],
): Tensor {
  checkChoice("normalizeChannels", "layout", layout, ["flat", "nchw", "nhwc"]);
  if (mean.length !== 3 || std.length !== 3 || std.some((s) => !(s > 0)))
    throw new ValueError("normalizeChannels: expected three means and three positive standard deviations");
  // Flat rows may carry more than the image (the bias column), so each row is one image; else images follow one another.
  const perImage = layout !== "flat" ? IMAGE_BYTES : x.rank === 2 ? x.shape[1] : undefined;
  if (perImage === undefined || perImage < IMAGE_BYTES || x.size % perImage !== 0) {
    const expected = layout === "flat" ? `[N, D] with D ≥ ${IMAGE_BYTES}` : `whole images of ${IMAGE_BYTES} values`;
    throw new ShapeError(`normalizeChannels: expected ${layout} images as ${expected}, got ${formatShape(x.shape)}`);
  }
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
