import { type FloatArray, type Rng, ShapeError, ValueError, formatShape } from "@slope/core";
import type { BatchTransform, ImageShape } from "@slope/data";

/**
 * torchvision's Normalize as a batch transform: each channel c of every image becomes
 *
 *     x[c, i, j] ← (x[c, i, j] − mean[c]) / std[c]
 *
 * in place, drawing nothing from the rng. Put first in a DataLoader's `compose([...])`, so that
 * a random crop's zero padding afterwards is the mean pixel.
 */
export function normalize(options: { mean: readonly number[]; std: readonly number[] }): Normalize {
  return new Normalize(options);
}

export class Normalize implements BatchTransform {
  readonly mean: readonly number[];
  readonly std: readonly number[];

  constructor({ mean, std }: { mean: readonly number[]; std: readonly number[] }) {
    const finite = (v: readonly number[]) => Array.isArray(v) && v.every((x) => Number.isFinite(x));
    if (!finite(mean) || !finite(std) || mean.length === 0 || mean.length !== std.length || std.some((s) => !(s > 0))) {
      throw new ValueError(
        "normalize: expected one mean and one positive std per channel, " +
          `got mean [${String(mean)}], std [${String(std)}]`,
      );
    }
    this.mean = [...mean];
    this.std = [...std];
  }

  outputShape(imageShape: ImageShape): ImageShape {
    if (imageShape[0] !== this.mean.length) {
      throw new ShapeError(
        `normalize: ${this.mean.length} channel statistics for images of ` + formatShape(imageShape),
      );
    }
    return imageShape;
  }

  apply(data: FloatArray, count: number, imageShape: ImageShape, _rng: Rng): void {
    const [channels, h, w] = this.outputShape(imageShape);
    const plane = h * w;
    for (let n = 0; n < count; n++) {
      for (let c = 0; c < channels; c++) {
        const m = this.mean[c]!,
          factor = 1 / this.std[c]!;
        const from = (n * channels + c) * plane;
        for (let k = from; k < from + plane; k++) data[k] = (data[k]! - m) * factor;
      }
    }
  }
}
