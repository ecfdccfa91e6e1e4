import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { DataFormatError } from "@slope/core";
import { CIFAR10_RECORD_BYTES, IMAGE_BYTES, type LabeledImages, checkRecords, parseCifar100 } from "../cifar/format.js";
import {
  CIFAR100_COARSE_LABEL_NAMES,
  CIFAR100_FINE_LABEL_NAMES,
  CIFAR10_LABEL_NAMES,
  parseLabelNames,
} from "../cifar/label-names.js";
import { readCifarPickle } from "../cifar/pickle.js";
import { checkChoice, checkOptions } from "../options.js";
import { concatImages } from "../preprocess/splits.js";

/** A loaded split: the images (count × 3,072 bytes, R, G, B planes), labels and class names. */
export interface CifarSplit extends LabeledImages {
  /** The class names, indexed by label ("airplane", "automobile", … for CIFAR-10). */
  labelNames: string[];
  /** The folder the files were read from. */
  dir: string;
}

const HOW_TO_GET =
  "get it with `pnpm lecture download` (or downloadCifar10() from @slope/data/node), or unpack https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz there";

/** Files whose presence marks a folder as holding CIFAR batches. */
const MARKERS = [
  "batches.meta.txt",
  "batches.meta",
  "data_batch_1.bin",
  "data_batch_1",
  "test_batch.bin",
  "test_batch",
  "train.bin",
  "test.bin",
];

/** Finds the batches folder: `dir` itself, or `dir/<name>` when dir is its parent. */
function batchesFolder(dir: string, names: string[], what: string): string {
  const root = resolve(dir);
  const candidates = [root, ...names.map((n) => join(root, n))];
  const found = candidates.find(
    (c) => existsSync(c) && statSync(c).isDirectory() && MARKERS.some((m) => existsSync(join(c, m))),
  );
  if (found) return found;
  if (!existsSync(root))
    throw new DataFormatError(
      `${what}: the folder ${root} does not exist (looked for ${names.map((n) => join(root, n)).join(" or ")}); ${HOW_TO_GET}`,
    );
  throw new DataFormatError(
    `${what}: no CIFAR batches in ${root} or in ${names.map((n) => join(root, n)).join(" or ")}; ${HOW_TO_GET}`,
  );
}

/** Throws the "missing batch" DataFormatError unless `file` exists. */
function requireBatch(file: string, what: string): void {
  if (!existsSync(file)) throw new DataFormatError(`${what}: missing batch ${file}`);
}

function readRequired(file: string, what: string): Uint8Array {
  requireBatch(file, what);
  const buffer = readFileSync(file);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/**
 * Loads CIFAR-10 from `dir` (a cifar-10-batches-bin folder or its parent; the python layout
 * cifar-10-batches-py is read too): train = data_batch_1..5 (50,000 images), test = test_batch
 * (10,000). labelNames come from batches.meta.txt. Bad files are DataFormatErrors naming the
 * file and the byte offset.
 */
export function loadCifar10(dir: string, options: { split?: "train" | "test" } = {}): CifarSplit {
  checkOptions("loadCifar10", options, ["split"]);
  checkChoice("loadCifar10", "split", options.split, ["train", "test"]);
  const { split = "train" } = options;
  const folder = batchesFolder(dir, ["cifar-10-batches-bin", "cifar-10-batches-py"], "loadCifar10");
  const python = !existsSync(join(folder, "batches.meta.txt")) && existsSync(join(folder, "batches.meta"));
  const names = split === "train" ? [1, 2, 3, 4, 5].map((i) => `data_batch_${i}`) : ["test_batch"];
  if (python) return loadPythonLayout(folder, names);
  const files = names.map((n) => join(folder, `${n}.bin`));
  const out = readBinaryBatches(files);
  const metaFile = join(folder, "batches.meta.txt");
  const labelNames = existsSync(metaFile) ? parseLabelNames(readFileSync(metaFile, "utf8")) : [...CIFAR10_LABEL_NAMES];
  return { ...out, labelNames, dir: folder };
}

/**
 * Reads CIFAR-10 batches into one buffer and compacts it in place: every record's label goes to
 * the labels array and its 3,072 pixels slide down over the label bytes (copyWithin), so the
 * images end up contiguous in the same memory: one read, no second copy of the data set.
 */
function readBinaryBatches(files: string[]): LabeledImages {
  const batches = files.map((file) => {
    requireBatch(file, "loadCifar10");
    const size = statSync(file).size;
    if (size === 0) throw new DataFormatError(`loadCifar10: ${file} is empty (a batch holds at least one record)`);
    return { file, size };
  });
  const buffer = new Uint8Array(batches.reduce((total, b) => total + b.size, 0));
  let at = 0;
  for (const { file, size } of batches) {
    const fd = openSync(file, "r");
    try {
      for (let read = 0; read < size; ) read += readSync(fd, buffer, at + read, size - read, null) || fail(file);
    } finally {
      closeSync(fd);
    }
    // Checks the size (whole records) and the labels, naming the file and the byte offset.
    const bytes = buffer.subarray(at, at + size);
    checkRecords(bytes, file);
    at += size;
  }
  const count = buffer.length / CIFAR10_RECORD_BYTES;
  const labels = new Uint8Array(count);
  for (let r = 0; r < count; r++) {
    const from = r * CIFAR10_RECORD_BYTES;
    labels[r] = buffer[from]!;
    buffer.copyWithin(r * IMAGE_BYTES, from + 1, from + CIFAR10_RECORD_BYTES);
  }
  return { images: buffer.subarray(0, count * IMAGE_BYTES), labels, count };
}

function fail(file: string): never {
  throw new DataFormatError(`loadCifar10: ${file} ended before its reported size`);
}

function loadPythonLayout(folder: string, names: string[]): CifarSplit {
  const parts = names.map((n) => {
    const file = join(folder, n);
    return readCifarPickle(readRequired(file, "loadCifar10"), { file, classes: 10 });
  });
  return { ...concatImages(parts), labelNames: [...CIFAR10_LABEL_NAMES], dir: folder };
}

/**
 * Loads CIFAR-100 from `dir` (a cifar-100-binary folder or its parent): train.bin (50,000) or
 * test.bin (10,000), with the fine (100 classes) or coarse (20 superclasses) labels.
 */
export function loadCifar100(
  dir: string,
  options: { split?: "train" | "test"; labels?: "fine" | "coarse" } = {},
): CifarSplit & {
  /** Each image's superclass, of 20. */
  coarseLabels: Uint8Array;
  /** Each image's class, of 100. */
  fineLabels: Uint8Array;
} {
  checkOptions("loadCifar100", options, ["split", "labels"]);
  checkChoice("loadCifar100", "split", options.split, ["train", "test"]);
  checkChoice("loadCifar100", "labels", options.labels, ["fine", "coarse"]);
  const { split = "train", labels = "fine" } = options;
  const folder = batchesFolder(dir, ["cifar-100-binary"], "loadCifar100");
  const file = join(folder, `${split}.bin`);
  if (existsSync(file) && statSync(file).size === 0) {
    throw new DataFormatError(`loadCifar100: ${file} is empty (a batch holds at least one record)`);
  }
  const parsed = parseCifar100(readRequired(file, "loadCifar100"), { file, labels });
  const namesFile = join(folder, labels === "fine" ? "fine_label_names.txt" : "coarse_label_names.txt");
  const labelNames = existsSync(namesFile)
    ? parseLabelNames(readFileSync(namesFile, "utf8"))
    : [...(labels === "fine" ? CIFAR100_FINE_LABEL_NAMES : CIFAR100_COARSE_LABEL_NAMES)];
  return { ...parsed, labelNames, dir: folder };
}
