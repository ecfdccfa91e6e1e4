import { type Rng, ValueError } from "@slope/core";
import { keepingOwner } from "@slope/core/internal";
import { IMAGE_BYTES, type LabeledImages } from "../cifar/format.js";
import { checkOptions } from "../options.js";

/** A contiguous run of images as views (no copy). */
export function sliceImages(set: LabeledImages, start: number, end: number): LabeledImages {
  if (!Number.isInteger(start) || !Number.isInteger(end) || !(0 <= start && start <= end && end <= set.count)) {
    throw new ValueError(`sliceImages: [${start}, ${end}) is not a whole range inside [0, ${set.count}]`);
  }
  return {
    // A view that keeps the whole set alive: its bytes may be storage of the kernel memory (an ImageFeatures').
    images: keepingOwner(set.images.subarray(start * IMAGE_BYTES, end * IMAGE_BYTES), set.images),
    labels: set.labels.subarray(start, end),
    count: end - start,
  };
}

/** The images at `indices`, copied into a new set. */
export function pickImages(set: LabeledImages, indices: ArrayLike<number>): LabeledImages {
  const images = new Uint8Array(indices.length * IMAGE_BYTES);
  const labels = new Uint8Array(indices.length);
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r]!;
    if (!Number.isInteger(i) || i < 0 || i >= set.count)
      throw new ValueError(`pickImages: index ${i} at position ${r} is outside [0, ${set.count})`);
    images.set(set.images.subarray(i * IMAGE_BYTES, (i + 1) * IMAGE_BYTES), r * IMAGE_BYTES);
    labels[r] = set.labels[i]!;
  }
  return { images, labels, count: indices.length };
}

/** Several sets joined end to end, in order, into a new set. */
export function concatImages(sets: readonly LabeledImages[]): LabeledImages {
  const count = sets.reduce((n, s) => n + s.count, 0);
  const images = new Uint8Array(count * IMAGE_BYTES);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const s of sets) {
    images.set(s.images.subarray(0, s.count * IMAGE_BYTES), at * IMAGE_BYTES);
    labels.set(s.labels.subarray(0, s.count), at);
    at += s.count;
  }
  return { images, labels, count };
}

/** Sizes of the course's splits. */
export interface SplitSizes {
  /** Images in train, the first of the training set (49,000 by default). */
  training?: number;
  /** Images in val, the next of the training set (1,000 by default). */
  validation?: number;
  /** Images in test, the first of the test set (1,000 by default). */
  test?: number;
  /** Images in dev, drawn from train without replacement (500 by default). */
  dev?: number;
}

/**
 * The course's deterministic splits: train = the first 49,000 training images, val = the next
 * 1,000, test = the first 1,000 test images, dev = 500 drawn without replacement from train by
 * `rng`. Train, val and test are views; only dev is copied.
 */
export function courseSplits(
  trainSet: LabeledImages,
  testSet: LabeledImages,
  options: SplitSizes & { rng: Rng },
): {
  /** The training split, for fitting the weights. */
  train: LabeledImages;
  /** The validation split, for choosing hyperparameters. */
  val: LabeledImages;
  /** The test split, evaluated once at the end. */
  test: LabeledImages;
  /** A small subset of train, for fast development runs. */
  dev: LabeledImages;
} {
  checkOptions("courseSplits", options, ["training", "validation", "test", "dev", "rng"]);
  const { training = 49000, validation = 1000, test = 1000, dev = 500, rng } = options ?? {};
  for (const [name, size] of Object.entries({ training, validation, test, dev })) {
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new ValueError(`courseSplits: ${name} must be a whole number ≥ 0, got ${size}`);
    }
  }
  if (!rng) throw new ValueError("courseSplits: an rng is required for the dev split");
  if (training + validation > trainSet.count) {
    throw new ValueError(
      `courseSplits: ${training} training + ${validation} validation images need ${training + validation}, the training set has ${trainSet.count}`,
    );
  }
  if (test > testSet.count)
    throw new ValueError(`courseSplits: ${test} test images asked, the test set has ${testSet.count}`);
  if (dev > training)
    throw new ValueError(`courseSplits: a dev set of ${dev} cannot be drawn from ${training} training images`);
  const train = sliceImages(trainSet, 0, training);
  return {
    train,
    val: sliceImages(trainSet, training, training + validation),
    test: sliceImages(testSet, 0, test),
    dev: pickImages(train, rng.permutation(training).subarray(0, dev)),
  };
}
