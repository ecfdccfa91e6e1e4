import { type FloatArray, type Rng, ShapeError, ValueError, formatShape } from "@slope/core";
import { type BatchTransform, type ImageShape, imageSize } from "./transform.js";

/**
 * Transforms applied one after the other, as torchvision's Compose: the output of each is the
 * input of the next, and each draws from the same rng in turn (all of the first's draws for the
 * batch, then the second's, …). Works in place in the batch, so no image along the way may be
 * larger than both the input and the output images.
 */
export function compose(transforms: readonly BatchTransform[]): Compose {
  return new Compose(transforms);
}

/** The transform `compose` makes: its transforms applied one after the other. */
export class Compose implements BatchTransform {
  /** The transforms, in the order they are applied. */
  readonly transforms: readonly BatchTransform[];
  /** The image shape before each transform and after the last, for the input shape last asked about. */
  private shapes: ImageShape[] = [];
  private shapesFor: ImageShape | null = null;

  constructor(transforms: readonly BatchTransform[]) {
    const isTransform = (t: BatchTransform) => typeof t?.apply === "function" && typeof t?.outputShape === "function";
    if (!Array.isArray(transforms) || !transforms.every(isTransform)) {
      throw new ValueError(
        "compose: expected an array of transforms, such as " +
          "[randomCrop({ size: 32, padding: 4 }), randomHorizontalFlip()]",
      );
    }
    this.transforms = [...transforms];
  }

  outputShape(imageShape: ImageShape): ImageShape {
    return this.shapesOf(imageShape)[this.transforms.length]!;
  }

  apply(data: FloatArray, count: number, imageShape: ImageShape, rng: Rng): void {
    const shapes = this.shapesOf(imageShape);
    for (let t = 0; t < this.transforms.length; t++) this.transforms[t]!.apply(data, count, shapes[t]!, rng);
  }

  /** The shapes along the chain, kept for the last input shape asked about (a loader passes the same each batch). */
  private shapesOf(imageShape: ImageShape): ImageShape[] {
    if (imageShape === this.shapesFor) return this.shapes;
    const shapes = [imageShape];
    for (const t of this.transforms) shapes.push(t.outputShape(shapes[shapes.length - 1]!));
    const room = Math.max(imageSize(imageShape), imageSize(shapes[shapes.length - 1]!));
    const larger = shapes.find((s) => imageSize(s) > room);
    if (larger) {
      throw new ShapeError(
        `compose: an image of ${formatShape(larger)} along the way is larger than both the input ` +
          `${formatShape(imageShape)} and the output ${formatShape(shapes[shapes.length - 1]!)}; ` +
          "pad and crop in one randomCrop instead",
      );
    }
    this.shapes = shapes;
    this.shapesFor = imageShape;
    return shapes;
  }
}
