import { existsSync } from "node:fs";
import { join } from "node:path";
import { Rng, type Tensor, ValueError } from "@slope/core";
import { type LabeledImages, courseSplits, meanImage, sliceImages, syntheticCifar, toFeatures } from "@slope/data";
import { cachedCifar10, loadCifar10 } from "@slope/data/node";

/** Where the images came from. */
export type DataKind = "cifar10" | "synthetic";

/** The lecture's data: the course's splits of CIFAR-10, or of the synthetic CIFAR-shaped set. */
export interface LectureData {
  kind: DataKind;
  /** One line saying plainly what was used and why. */
  description: string;
  dir: string | null;
  labelNames: string[];
  train: LabeledImages;
  val: LabeledImages;
  test: LabeledImages;
  dev: LabeledImages;
}

/** Sizes of the synthetic splits: small enough for the tour, large enough to learn from. */
const SYNTHETIC = { train: 3000, val: 300, test: 500, dev: 200 };

/** Finds CIFAR-10: --data, else $SLOPE_CIFAR_DIR, else a complete download in the cache; null when none. */
export function findCifarDir(
  option: string | undefined,
  env: Record<string, string | undefined> = process.env,
): { dir: string; origin: string } | null {
  if (option !== undefined) return { dir: option, origin: "--data" }; // "" is not "no option": loading refuses it
  if (env.SLOPE_CIFAR_DIR) return { dir: env.SLOPE_CIFAR_DIR, origin: "$SLOPE_CIFAR_DIR" };
  const cached = cachedCifar10();
  return cached ? { dir: cached, origin: "the download cache" } : null;
}

/** The six batches of CIFAR-10, by name (binary: `.bin`; python layout: no suffix). */
const BATCHES = ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"];

/**
 * Checks, before anything loads, that `dir` holds the six CIFAR-10 batches (binary or python
 * layout) itself or in its cifar-10-batches-bin / cifar-10-batches-py folder, as loadCifar10 looks
 * for them: a ValueError naming the folder, where it came from and how to get the data if not.
 * Whether the files are intact is found when they are read.
 */
export function checkCifarDir(dir: string, origin: string): void {
  const folders = [dir, join(dir, "cifar-10-batches-bin"), join(dir, "cifar-10-batches-py")];
  const complete = (folder: string) =>
    BATCHES.every((name) => existsSync(join(folder, `${name}.bin`)) || existsSync(join(folder, name)));
  if (!folders.some(complete)) {
    const expected = BATCHES.map((b) => `${b}.bin`).join(", ");
    throw new ValueError(
      `no CIFAR-10 in ${dir} (from ${origin}): expected ${expected} in it or in its ` +
        "cifar-10-batches-bin folder; pass --data <cifar-10-batches-bin folder>, or run `pnpm lecture download`",
    );
  }
}

/**
 * Loads the lecture's data. With CIFAR-10: 49,000 train / 1,000 val / 10,000 test / 500 dev.
 * Without: the synthetic set (3,000 / 300 / 500 / 200), and the description says so.
 */
export function loadLectureData({ data, seed }: { data?: string; seed: number }): LectureData {
  const found = findCifarDir(data);
  if (found) {
    if (found.dir.trim() === "") throw new ValueError(`no CIFAR-10 folder named (an empty path from ${found.origin})`);
    if (!existsSync(found.dir))
      throw new ValueError(
        `no folder ${found.dir} (from ${found.origin}); pass --data <cifar-10-batches-bin folder>, or run \`pnpm lecture download\``,
      );
    const train = loadCifar10(found.dir, { split: "train" });
    const test = loadCifar10(found.dir, { split: "test" });
    const training = Math.min(49_000, train.count - Math.min(1000, Math.floor(train.count / 10)));
    const validation = Math.min(1000, train.count - training);
    const splits = courseSplits(train, test, {
      training,
      validation,
      test: test.count,
      dev: Math.min(500, training),
      rng: new Rng(`dev-${seed}`),
    });
    return {
      kind: "cifar10",
      description: `CIFAR-10 from ${train.dir} (${found.origin})`,
      dir: train.dir,
      labelNames: train.labelNames,
      ...splits,
    };
  }
  const total = SYNTHETIC.train + SYNTHETIC.val + SYNTHETIC.test;
  const all = syntheticCifar({ count: total, rng: new Rng(`synthetic-${seed}`) });
  const splits = courseSplits(
    sliceImages(all, 0, SYNTHETIC.train + SYNTHETIC.val),
    sliceImages(all, SYNTHETIC.train + SYNTHETIC.val, total),
    {
      training: SYNTHETIC.train,
      validation: SYNTHETIC.val,
      test: SYNTHETIC.test,
      dev: SYNTHETIC.dev,
      rng: new Rng(`dev-${seed}`),
    },
  );
  return {
    kind: "synthetic",
    description:
      "the synthetic CIFAR-shaped set (no CIFAR-10 found: no --data, no $SLOPE_CIFAR_DIR, nothing in the download cache)",
    dir: null,
    labelNames: all.labelNames,
    ...splits,
  };
}

/** Float32 features of every split: mean image of the training split subtracted, bias column appended. */
export interface Features {
  mean: Tensor;
  xTrain: Tensor;
  yTrain: Uint8Array;
  xVal: Tensor;
  yVal: Uint8Array;
  xTest: Tensor;
  yTest: Uint8Array;
  xDev: Tensor;
  yDev: Uint8Array;
}

/**
 * The features already made, per data set and options. The tour hands one LectureData to every
 * experiment, and five of them ask for the same features: on CIFAR-10 each conversion takes
 * seconds and most of a gigabyte (bench/README.md, "Measured in code comments"), so they share one.
 * The tensors are never written to.
 */
const madeFeatures = new WeakMap<LectureData, Map<string, Features>>();

/**
 * The course's preprocessing: subtract the training mean image, append the bias column
 * (s = [x, 1]·W). Asked again for the same data and options, it returns the same Features.
 */
export function linearFeatures(
  data: LectureData,
  { scale = 1, dtype = "float32" as const }: { scale?: number; dtype?: "float32" | "float64" } = {},
): Features {
  let made = madeFeatures.get(data);
  if (made === undefined) {
    made = new Map();
    madeFeatures.set(data, made);
  }
  const key = `${dtype} ${scale}`;
  const found = made.get(key);
  if (found) return found;
  const features = makeLinearFeatures(data, scale, dtype);
  made.set(key, features);
  return features;
}

/** linearFeatures' conversion of every split. */
function makeLinearFeatures(data: LectureData, scale: number, dtype: "float32" | "float64"): Features {
  const mean = meanImage(data.train.images, data.train.count, dtype);
  const features = (set: LabeledImages) => toFeatures(set.images, set.count, { mean, scale, bias: true, dtype });
  return {
    mean,
    xTrain: features(data.train),
    yTrain: data.train.labels,
    xVal: features(data.val),
    yVal: data.val.labels,
    xTest: features(data.test),
    yTest: data.test.labels,
    xDev: features(data.dev),
    yDev: data.dev.labels,
  };
}
