import { type Rng, ValueError } from "@slope/core";
import { IMAGE_BYTES, type LabeledImages } from "../cifar/format.js";
import { checkOptions } from "../options.js";
import { CIFAR10_LABEL_NAMES } from "../cifar/label-names.js";

/** Options of the synthetic CIFAR-shaped set. */
export interface SyntheticCifarOptions {
  /** How many images. */
  count: number;
  /** Draws everything: templates, labels, shifts and noise (required). */
  rng: Rng;
  /** How many classes, in [2, 256] (10 by default). */
  classes?: number;
  /** Standard deviation of the per-pixel noise on the 0–255 scale (60 by default). */
  noise?: number;
  /** Largest shift of a template, in pixels, each way (5 by default). */
  maxShift?: number;
  /** Templates per class: a class looks one of several ways (3 by default). */
  variants?: number;
  /** Random coloured blobs painted over each image, unrelated to its class (2 by default). */
  distractors?: number;
}

/** Paints a soft round blob of `colour` (alpha 1 at the centre, Gaussian fall-off) into an image of floats. */
function paintBlob(image: Float64Array, rng: Rng, minRadius: number, maxRadius: number): void {
  const cx = 4 + 24 * rng.uniform(),
    cy = 4 + 24 * rng.uniform(),
    radius = minRadius + (maxRadius - minRadius) * rng.uniform();
  const colour = [0, 1, 2].map(() => 255 * rng.uniform());
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 32; x++) {
      const weight = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * radius * radius));
      for (let c = 0; c < 3; c++) {
        const k = c * 1024 + y * 32 + x;
        image[k] = (1 - weight) * image[k]! + weight * colour[c]!;
      }
    }
  }
}

/** Templates of 32×32 colour images: a background colour and a few soft coloured blobs each. */
function makeTemplate(rng: Rng): Float64Array {
  const template = new Float64Array(IMAGE_BYTES);
  const background = [0, 1, 2].map(() => 60 + 100 * rng.uniform());
  for (let c = 0; c < 3; c++) template.fill(background[c]!, c * 1024, (c + 1) * 1024);
  for (let blob = 0; blob < 4; blob++) paintBlob(template, rng, 3, 9);
  return template;
}

/**
 * A CIFAR-shaped data set with real class structure, for when CIFAR-10 is not on disk: each class
 * has a few colour templates; each image is one of its class's templates shifted by up to
 * `maxShift` pixels, with brightness and contrast changed, unrelated blobs painted over it and
 * per-pixel noise added. A linear classifier learns it well above chance;
 * random weights do not. Balanced classes (image i has label i mod classes before shuffling),
 * deterministic from `rng`. Labels are named after CIFAR-10's classes.
 */
export function syntheticCifar(options: SyntheticCifarOptions): LabeledImages & {
  /** The name of each class: CIFAR-10's for the first ten, "class k" after them. */
  labelNames: string[];
} {
  checkOptions("syntheticCifar", options, ["count", "rng", "classes", "noise", "maxShift", "variants", "distractors"]);
  const { count, rng, classes = 10, noise = 60, maxShift = 5, variants = 3, distractors = 2 } = options ?? {};
  if (!Number.isInteger(count) || count < 0)
    throw new ValueError(`syntheticCifar: count must be a non-negative integer, got ${count}`);
  if (!rng) throw new ValueError("syntheticCifar: an rng is required: { count, rng: new Rng(seed) }");
  if (!Number.isInteger(classes) || classes < 2 || classes > 256)
    throw new ValueError(`syntheticCifar: classes must be an integer in [2, 256], got ${classes}`);
  // Shifts and template choices index pixels and lists: a fractional or negative one would read past them.
  if (!Number.isInteger(variants) || variants < 1)
    throw new ValueError(`syntheticCifar: variants must be a positive integer, got ${variants}`);
  if (!Number.isInteger(maxShift) || maxShift < 0)
    throw new ValueError(`syntheticCifar: maxShift must be a non-negative integer, got ${maxShift}`);
  if (!Number.isInteger(distractors) || distractors < 0) {
    throw new ValueError(`syntheticCifar: distractors must be a non-negative integer, got ${distractors}`);
  }
  if (!(Number.isFinite(noise) && noise >= 0))
    throw new ValueError(`syntheticCifar: noise must be a finite number ≥ 0, got ${noise}`);
  const templates = Array.from({ length: classes }, () => Array.from({ length: variants }, () => makeTemplate(rng)));
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) labels[i] = i % classes;
  rng.shuffle(labels);
  const images = new Uint8Array(count * IMAGE_BYTES);
  const image = new Float64Array(IMAGE_BYTES);
  for (let n = 0; n < count; n++) {
    const template = templates[labels[n]!]![rng.int(variants)]!;
    const dx = rng.int(2 * maxShift + 1) - maxShift,
      dy = rng.int(2 * maxShift + 1) - maxShift;
    const brightness = 60 * (rng.uniform() - 0.5);
    const contrast = 0.6 + 0.8 * rng.uniform();
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < 32; y++) {
        const sy = Math.min(31, Math.max(0, y - dy));
        for (let x = 0; x < 32; x++) {
          const sx = Math.min(31, Math.max(0, x - dx));
          image[c * 1024 + y * 32 + x] = 128 + contrast * (template[c * 1024 + sy * 32 + sx]! - 128) + brightness;
        }
      }
    }
    for (let k = 0; k < distractors; k++) paintBlob(image, rng, 2, 6);
    for (let k = 0; k < IMAGE_BYTES; k++) {
      const value = image[k]! + noise * rng.normal();
      images[n * IMAGE_BYTES + k] = value < 0 ? 0 : value > 255 ? 255 : Math.round(value);
    }
  }
  const labelNames = Array.from({ length: classes }, (_, k) => CIFAR10_LABEL_NAMES[k] ?? `class ${k}`);
  return { images, labels, count, labelNames };
}
