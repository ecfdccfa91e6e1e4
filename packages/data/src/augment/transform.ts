import { type DType, type FloatArray, type Rng, ShapeError, ValueError, formatShape } from "@slope/core";

/** One image's shape: channels × height × width (PyTorch's CHW order). */
export type ImageShape = readonly [channels: number, height: number, width: number];

/**
 * A random transform of a batch of images (data augmentation), which a DataLoader applies to each
 * batch after gathering it: the data set itself is never touched. Transforms draw only from the
 * `rng` they are given, which the loader owns and saves in its state, so a seed fixes every bit and
 * a resumed loader augments its next batch exactly as the uninterrupted one would have.
 */
export interface BatchTransform {
  /** The shape of a transformed image; throws a named error when the transform cannot take `imageShape`. */
  outputShape(imageShape: ImageShape): ImageShape;
  /**
   * Transforms the `count` images of `imageShape` packed from the start of `data`, in place: the
   * transformed images end up packed from the start of `data`, which must hold count × the larger
   * of the input and output image sizes. Allocates nothing once its scratch exists.
   */
  apply(data: FloatArray, count: number, imageShape: ImageShape, rng: Rng): void;
}

/** Floats in one image of `shape`. */
export function imageSize(shape: ImageShape): number {
  return shape[0] * shape[1] * shape[2];
}

/**
 * The shape of each image in a batch of `batchShape`: [N, C, H, W] is NCHW, [N, H, W] one channel,
 * and [N, D] flat rows, which need `imageShape` unless D = 3072 (a CIFAR image, R, G, B planes of 32 × 32).
 */
export function batchImageShape(where: string, batchShape: readonly number[], imageShape?: ImageShape): ImageShape {
  const [, ...rest] = batchShape;
  const row = rest.reduce((a, b) => a * b, 1);
  let shape: ImageShape;
  if (rest.length === 3) shape = [rest[0]!, rest[1]!, rest[2]!];
  else if (rest.length === 2) shape = [1, rest[0]!, rest[1]!];
  else if (rest.length === 1) shape = imageShape ?? (row === 3072 ? [3, 32, 32] : missingShape(where, batchShape));
  else {
    throw new ShapeError(
      `${where}: expected images as [N, C, H, W], [N, H, W] or flat rows [N, D], ` + `got ${formatShape(batchShape)}`,
    );
  }
  checkImageShape(where, shape);
  if (imageShape && !sameImageShape(imageShape, shape)) {
    throw new ShapeError(
      `${where}: imageShape ${formatShape(imageShape)} does not match the batch's ` + formatShape(batchShape),
    );
  }
  if (imageSize(shape) !== row) {
    throw new ShapeError(
      `${where}: rows of ${row} values do not hold images of ${formatShape(shape)} ` + `(${imageSize(shape)} values)`,
    );
  }
  return shape;
}

function missingShape(where: string, batchShape: readonly number[]): never {
  throw new ShapeError(
    `${where}: flat rows ${formatShape(batchShape)} need an imageShape [C, H, W] ` +
      `(only rows of 3072 are taken as CIFAR's [3, 32, 32])`,
  );
}

/** Throws a ShapeError unless `shape` is three positive whole numbers. */
export function checkImageShape(where: string, shape: ImageShape): void {
  const valid = Array.isArray(shape) && shape.length === 3 && shape.every(isPositiveInteger);
  if (!valid) {
    const got = Array.isArray(shape) ? formatShape(shape) : String(shape);
    throw new ShapeError(`${where}: an image shape is [C, H, W] of positive whole numbers, got ${got}`);
  }
}

/**
 * Throws a named error unless `data` holds `count` images of `imageShape` with room for their
 * transformed images of `outputSize` values each.
 */
export function checkBatchData(
  where: string,
  data: FloatArray,
  count: number,
  imageShape: ImageShape,
  outputSize: number,
): void {
  if (!Number.isInteger(count) || count < 0) {
    throw new ValueError(`${where}: count must be a whole number ≥ 0, got ${count}`);
  }
  const needed = count * Math.max(imageSize(imageShape), outputSize);
  if (data.length < needed) {
    throw new ShapeError(
      `${where}: ${count} images of ${formatShape(imageShape)} need ${needed} values, ` + `got ${data.length}`,
    );
  }
}

function isPositiveInteger(n: unknown): boolean {
  return typeof n === "number" && Number.isInteger(n) && n > 0;
}

export function sameImageShape(a: ImageShape, b: ImageShape): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
}

/** A fresh array of `dtype` (never a reused step's scratch: a transform keeps it across batches). */
export function scratchArray(dtype: DType, size: number): FloatArray {
  return dtype === "float64" ? new Float64Array(size) : new Float32Array(size);
}
