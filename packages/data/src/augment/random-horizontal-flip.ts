import { type FloatArray, type Rng, ValueError } from "@slope/core";
import { checkOptions } from "../options.js";
import { type BatchTransform, type ImageShape, checkBatchData, checkImageShape, imageSize } from "./transform.js";

/** Options of `randomHorizontalFlip`: torchvision's RandomHorizontalFlip. */
export interface RandomHorizontalFlipOptions {
  /** The probability that an image is flipped. Default 0.5. */
  p?: number;
}

/**
 * torchvision's RandomHorizontalFlip, on every image of a batch: with probability p (one draw per
 * image, u = rng.uniform(), flipped when u < p, so p = 0 never flips and p = 1 always does) each
 * image becomes its mirror image, out[c, i, j] = x[c, i, W − 1 − j]. In place; shapes unchanged.
 */
export function randomHorizontalFlip(options: RandomHorizontalFlipOptions = {}): RandomHorizontalFlip {
  return new RandomHorizontalFlip(options);
}

/** The transform `randomHorizontalFlip` makes: each image mirrored left to right with probability p. */
export class RandomHorizontalFlip implements BatchTransform {
  /** The probability that an image is flipped. */
  readonly p: number;

  constructor(options: RandomHorizontalFlipOptions = {}) {
    checkOptions("randomHorizontalFlip", options, ["p"]);
    const { p = 0.5 } = options ?? {};
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
      throw new ValueError(`randomHorizontalFlip: p must be in [0, 1], got ${p}`);
    }
    this.p = p;
  }

  outputShape(imageShape: ImageShape): ImageShape {
    checkImageShape("randomHorizontalFlip", imageShape);
    return imageShape;
  }

  apply(data: FloatArray, count: number, imageShape: ImageShape, rng: Rng): void {
    checkImageShape("randomHorizontalFlip", imageShape);
    checkBatchData("randomHorizontalFlip", data, count, imageShape, imageSize(imageShape));
    const rows = imageShape[0] * imageShape[1],
      w = imageShape[2]; // rows of w pixels per image
    for (let n = 0; n < count; n++) {
      if (!(rng.uniform() < this.p)) continue;
      for (let r = n * rows; r < (n + 1) * rows; r++) {
        for (let a = r * w, b = a + w - 1; a < b; a++, b--) {
          const t = data[a]!;
          data[a] = data[b]!;
          data[b] = t;
        }
      }
    }
  }
}
