import { type FloatArray, type Rng, ValueError, dtypeOf, formatShape } from "@slope/core";
import { checkOptions } from "../options.js";
import {
  type BatchTransform,
  type ImageShape,
  checkBatchData,
  checkImageShape,
  imageSize,
  scratchArray,
} from "./transform.js";

/** What fills the border that `padding` adds: torchvision's padding modes. */
export type PaddingMode = "constant" | "edge" | "reflect" | "symmetric";

/** Options of `randomCrop`: torchvision's RandomCrop, camelCase. */
export interface RandomCropOptions {
  /** The crop's [height, width]; one number is a square. */
  size: number | readonly [number, number];
  /** Pixels added on every side before cropping. Default 0. */
  padding?: number;
  /** The padded pixels' value in "constant" mode. Default 0 (on mean-subtracted features, the mean pixel). */
  fill?: number;
  /** Default "constant". */
  paddingMode?: PaddingMode;
}

/**
 * torchvision's RandomCrop, on every image of a batch: pad each side by p = `padding`, then cut an
 * h × w window at a uniformly random offset (two draws per image, top then left):
 *
 *     top ∈ {0, …, H + 2p − h},  left ∈ {0, …, W + 2p − w}
 *     out[c, i, j] = x[c, top + i − p, left + j − p]   inside the image;  outside it:
 *       "constant" fill · "edge" the nearest border pixel · "reflect" the mirror without the border
 *       pixel (row −1 is row 1) · "symmetric" the mirror with it (row −1 is row 0).
 *
 * CIFAR's standard augmentation is `compose([randomCrop({ size: 32, padding: 4 }), randomHorizontalFlip()])`.
 */
export function randomCrop(options: RandomCropOptions): RandomCrop {
  return new RandomCrop(options);
}

/** The transform `randomCrop` makes: a random h × w crop of each padded image (see randomCrop for the rule). */
export class RandomCrop implements BatchTransform {
  /** The crop's height. */
  readonly height: number;
  /** The crop's width. */
  readonly width: number;
  /** Pixels added on every side before cropping. */
  readonly padding: number;
  /** The padded pixels' value in "constant" mode. */
  readonly fill: number;
  /** What fills the border: "constant", "edge", "reflect" or "symmetric". */
  readonly paddingMode: PaddingMode;
  /** One input image, so that a crop can be written over the batch it reads. */
  private scratch: FloatArray | null = null;
  /** Each image's [top, left], drawn before any image is written. */
  private offsets = new Int32Array(0);

  constructor(options: RandomCropOptions) {
    checkOptions("randomCrop", options, ["size", "padding", "fill", "paddingMode"]);
    const { size, padding = 0, fill = 0, paddingMode = "constant" } = options ?? ({} as RandomCropOptions);
    const [height, width] = typeof size === "number" ? [size, size] : (size ?? []);
    if (!isPositiveInteger(height) || !isPositiveInteger(width) || (typeof size !== "number" && size.length !== 2)) {
      throw new ValueError(`randomCrop: size must be a positive whole number or [height, width], got ${format(size)}`);
    }
    if (!Number.isInteger(padding) || padding < 0) {
      throw new ValueError(`randomCrop: padding must be a whole number ≥ 0, got ${padding}`);
    }
    if (typeof fill !== "number") throw new ValueError(`randomCrop: fill must be a number, got ${String(fill)}`);
    if (!["constant", "edge", "reflect", "symmetric"].includes(paddingMode)) {
      throw new ValueError(
        `randomCrop: paddingMode must be "constant", "edge", "reflect" or "symmetric", ` + `got "${paddingMode}"`,
      );
    }
    this.height = height;
    this.width = width;
    this.padding = padding;
    this.fill = fill;
    this.paddingMode = paddingMode;
  }

  outputShape(imageShape: ImageShape): ImageShape {
    this.check(imageShape);
    return [imageShape[0], this.height, this.width];
  }

  /** Throws a named error when images of `shape` cannot be cropped so. */
  private check(shape: ImageShape): void {
    checkImageShape("randomCrop", shape);
    const h = shape[1],
      w = shape[2],
      p = this.padding;
    if (this.height > h + 2 * p || this.width > w + 2 * p) {
      throw new ValueError(
        `randomCrop: size [${this.height}, ${this.width}] is larger than the padded image ` +
          `[${h + 2 * p}, ${w + 2 * p}] (image ${formatShape(shape)}, padding ${p})`,
      );
    }
    // A mirror shows the image itself: at most all of it ("symmetric"), or all but the border row ("reflect").
    const limit = this.paddingMode === "reflect" ? 1 : this.paddingMode === "symmetric" ? 0 : null;
    if (limit !== null && p > Math.min(h, w) - limit) {
      throw new ValueError(
        `randomCrop: "${this.paddingMode}" padding must be at most ${Math.min(h, w) - limit} ` +
          `for images of ${formatShape(shape)}, got ${p}`,
      );
    }
  }

  apply(data: FloatArray, count: number, imageShape: ImageShape, rng: Rng): void {
    this.check(imageShape);
    const channels = imageShape[0],
      h = imageShape[1],
      w = imageShape[2],
      p = this.padding;
    const inSize = imageSize(imageShape),
      outSize = channels * this.height * this.width;
    checkBatchData("randomCrop", data, count, imageShape, outSize);
    if (this.offsets.length < 2 * count) this.offsets = new Int32Array(2 * count);
    const offsets = this.offsets;
    for (let n = 0; n < count; n++) {
      offsets[2 * n] = rng.int(h + 2 * p - this.height + 1);
      offsets[2 * n + 1] = rng.int(w + 2 * p - this.width + 1);
    }
    if (this.paddingMode === "constant" && this.height === h && this.width === w) {
      for (let n = 0; n < count; n++) {
        this.shiftInPlace(data, n * inSize, imageShape, offsets[2 * n]!, offsets[2 * n + 1]!);
      }
      return;
    }
    if (!this.scratch || this.scratch.length < inSize || dtypeOf(this.scratch) !== dtypeOf(data)) {
      this.scratch = scratchArray(dtypeOf(data), inSize);
    }
    const scratch = this.scratch;
    // Image n's crop is written at n·outSize: going up when crops are no larger than images (and
    // down when they are larger) never writes over an image not yet read.
    const up = outSize <= inSize;
    for (let k = 0; k < count; k++) {
      const n = up ? k : count - 1 - k;
      const from = n * inSize;
      for (let t = 0; t < inSize; t++) scratch[t] = data[from + t]!;
      this.cropInto(data, n * outSize, scratch, imageShape, offsets[2 * n]!, offsets[2 * n + 1]!);
    }
  }

  /**
   * A zero-padded crop the size of the image is the image shifted by sy = top − p rows and
   * sx = left − p columns: out[o] = x[o + δ] with δ = sy·W + sx for every pixel o whose source is
   * inside the image, the fill elsewhere. So one memmove of the whole image (all its channels), then
   * the fill over the sy rows and sx columns that came from outside (or from the next channel): much
   * faster than the general path below (bench/README.md, "Measured in code comments").
   */
  private shiftInPlace(data: FloatArray, at: number, shape: ImageShape, top: number, left: number): void {
    const channels = shape[0],
      h = shape[1],
      w = shape[2];
    const sy = top - this.padding,
      sx = left - this.padding,
      delta = sy * w + sx,
      size = channels * h * w;
    // (A shift of a whole image or more leaves only fill; copyWithin would read a negative end from the array's end.)
    if (delta > 0 && delta < size) data.copyWithin(at, at + delta, at + size);
    else if (delta < 0 && -delta < size) data.copyWithin(at - delta, at, at + size + delta);
    const fill = this.fill;
    // Rows [rowsLo, rowsHi) and columns [colsLo, colsHi) have their source inside the image.
    const rowsLo = Math.min(h, Math.max(0, -sy)),
      rowsHi = Math.max(rowsLo, Math.min(h, h - sy));
    const colsLo = Math.min(w, Math.max(0, -sx)),
      colsHi = Math.max(colsLo, Math.min(w, w - sx));
    for (let c = 0; c < channels; c++) {
      const plane = at + c * h * w;
      if (rowsLo > 0) data.fill(fill, plane, plane + rowsLo * w);
      if (rowsHi < h) data.fill(fill, plane + rowsHi * w, plane + h * w);
      if (sx === 0) continue;
      for (let i = rowsLo; i < rowsHi; i++) {
        const d = plane + i * w;
        for (let j = 0; j < colsLo; j++) data[d + j] = fill;
        for (let j = colsHi; j < w; j++) data[d + j] = fill;
      }
    }
  }

  /** Writes the crop at (top, left) of the padded image `src` into out[at …]. */
  private cropInto(out: FloatArray, at: number, src: FloatArray, shape: ImageShape, top: number, left: number): void {
    const channels = shape[0],
      h = shape[1],
      w = shape[2];
    const { height, width, padding: p, fill } = this;
    const shift = left - p; // column j of the crop is column j + shift of the image
    const inLo = Math.min(width, Math.max(0, -shift)),
      inHi = Math.max(inLo, Math.min(width, w - shift));
    const constant = this.paddingMode === "constant";
    for (let c = 0; c < channels; c++) {
      for (let i = 0; i < height; i++) {
        const d = at + (c * height + i) * width;
        const r = this.inside(top + i - p, h);
        // Short fills as loops: TypedArray.fill costs more per call than a row of 32 stores.
        if (r < 0) {
          for (let j = 0; j < width; j++) out[d + j] = fill;
          continue;
        }
        const s = (c * h + r) * w;
        for (let j = inLo; j < inHi; j++) out[d + j] = src[s + j + shift]!;
        if (constant) {
          for (let j = 0; j < inLo; j++) out[d + j] = fill;
          for (let j = inHi; j < width; j++) out[d + j] = fill;
        } else {
          for (let j = 0; j < inLo; j++) out[d + j] = src[s + this.inside(j + shift, w)]!;
          for (let j = inHi; j < width; j++) out[d + j] = src[s + this.inside(j + shift, w)]!;
        }
      }
    }
  }

  /** The image row (or column) that padded index k shows, of n; −1 for the fill. */
  private inside(k: number, n: number): number {
    if (k >= 0 && k < n) return k;
    switch (this.paddingMode) {
      case "constant":
        return -1;
      case "edge":
        return k < 0 ? 0 : n - 1;
      case "reflect":
        return k < 0 ? -k : 2 * (n - 1) - k;
      case "symmetric":
        return k < 0 ? -k - 1 : 2 * n - 1 - k;
    }
  }
}

function isPositiveInteger(n: unknown): n is number {
  return typeof n === "number" && Number.isInteger(n) && n > 0;
}

function format(size: unknown): string {
  return Array.isArray(size) ? `[${size.join(", ")}]` : String(size);
}
