import { DataFormatError, ValueError } from "@slope/core";
import { checkOptions, checkChoice } from "../options.js";

/** Bytes of one image: three 32×32 planes, red then green then blue, each row-major. */
export const IMAGE_BYTES = 3 * 32 * 32;
/** Bytes of a CIFAR-10 record: one label byte, then the image. */
export const CIFAR10_RECORD_BYTES = 1 + IMAGE_BYTES;
/** Bytes of a CIFAR-100 record: coarse label, fine label, then the image. */
export const CIFAR100_RECORD_BYTES = 2 + IMAGE_BYTES;

/** Images and labels in memory: image i is bytes [i·3072, (i+1)·3072) of `images`, in the file's R, G, B plane order. */
export interface LabeledImages {
  /** count × 3,072 pixel bytes: each image's 1,024 red, then green, then blue bytes, rows of 32 top to bottom. */
  images: Uint8Array;
  /** The class of each image, one byte each. */
  labels: Uint8Array;
  /** How many images. */
  count: number;
}

function checkWholeRecords(bytes: Uint8Array, recordBytes: number, file: string): number {
  if (bytes.length % recordBytes !== 0) {
    const whole = Math.floor(bytes.length / recordBytes);
    throw new DataFormatError(
      `${file}: ${bytes.length} bytes is not a whole number of ${recordBytes}-byte records: the record starting at byte offset ${whole * recordBytes} is truncated (${bytes.length - whole * recordBytes} of ${recordBytes} bytes)`,
    );
  }
  return bytes.length / recordBytes;
}

/**
 * Checks CIFAR-10 binary records without copying them: a whole number of records, every label
 * in [0, classes). Errors name the file and the byte offset. Returns the record count.
 */
export function checkRecords(bytes: Uint8Array, file = "<buffer>", classes = 10): number {
  const count = checkWholeRecords(bytes, CIFAR10_RECORD_BYTES, file);
  for (let r = 0; r < count; r++) {
    const at = r * CIFAR10_RECORD_BYTES;
    if (bytes[at]! >= classes)
      throw new DataFormatError(
        `${file}: label ${bytes[at]} at byte offset ${at} (record ${r}) is outside [0, ${classes})`,
      );
  }
  return count;
}

/**
 * Parses CIFAR-10 binary records (1 label byte + 3,072 pixel bytes each). Labels outside
 * [0, classes) are DataFormatErrors that name the file and the byte offset.
 */
export function parseCifar10(bytes: Uint8Array, options: { file?: string; classes?: number } = {}): LabeledImages {
  checkOptions("parseCifar10", options, ["file", "classes"]);
  const { file = "<buffer>", classes = 10 } = options;
  const count = checkRecords(bytes, file, classes);
  const out = { images: new Uint8Array(count * IMAGE_BYTES), labels: new Uint8Array(count), count };
  for (let r = 0; r < count; r++) {
    const at = r * CIFAR10_RECORD_BYTES;
    out.labels[r] = bytes[at]!;
    out.images.set(bytes.subarray(at + 1, at + CIFAR10_RECORD_BYTES), r * IMAGE_BYTES);
  }
  return out;
}

/** CIFAR-100 images with both label sets. */
export interface LabeledImages100 extends LabeledImages {
  /** Each image's superclass, of 20. */
  coarseLabels: Uint8Array;
  /** Each image's class, of 100. */
  fineLabels: Uint8Array;
}

/**
 * Parses CIFAR-100 binary records (coarse label, fine label, 3,072 pixel bytes); `labels` is the
 * fine or the coarse set, as asked.
 */
export function parseCifar100(
  bytes: Uint8Array,
  options: { file?: string; labels?: "fine" | "coarse" } = {},
): LabeledImages100 {
  checkOptions("parseCifar100", options, ["file", "labels"]);
  checkChoice("parseCifar100", "labels", options.labels, ["fine", "coarse"]);
  const { file = "<buffer>", labels = "fine" } = options;
  const count = checkWholeRecords(bytes, CIFAR100_RECORD_BYTES, file);
  const images = new Uint8Array(count * IMAGE_BYTES);
  const coarseLabels = new Uint8Array(count);
  const fineLabels = new Uint8Array(count);
  for (let r = 0; r < count; r++) {
    const at = r * CIFAR100_RECORD_BYTES;
    const coarse = bytes[at]!,
      fine = bytes[at + 1]!;
    if (coarse >= 20)
      throw new DataFormatError(
        `${file}: coarse label ${coarse} at byte offset ${at} (record ${r}) is outside [0, 20)`,
      );
    if (fine >= 100)
      throw new DataFormatError(
        `${file}: fine label ${fine} at byte offset ${at + 1} (record ${r}) is outside [0, 100)`,
      );
    coarseLabels[r] = coarse;
    fineLabels[r] = fine;
    images.set(bytes.subarray(at + 2, at + CIFAR100_RECORD_BYTES), r * IMAGE_BYTES);
  }
  return { images, labels: labels === "coarse" ? coarseLabels : fineLabels, coarseLabels, fineLabels, count };
}

function checkImages(images: Uint8Array, count: number, where: string): void {
  if (images.length !== count * IMAGE_BYTES) {
    throw new ValueError(
      `${where}: expected ${count} images of ${IMAGE_BYTES} bytes (${count * IMAGE_BYTES}), got ${images.length} bytes`,
    );
  }
}

/** Throws a ValueError unless `label` is a class index in [0, classes): what the parsers accept. */
function checkLabel(where: string, what: string, label: number, index: number, classes: number): void {
  if (!Number.isInteger(label) || label < 0 || label >= classes) {
    throw new ValueError(`${where}: ${what} ${label} at index ${index} is outside [0, ${classes})`);
  }
}

/**
 * Writes CIFAR-10 binary records: the inverse of parseCifar10. Labels must lie in [0, classes)
 * (10 by default, as parseCifar10 reads them back).
 */
export function writeCifar10(
  images: Uint8Array,
  labels: ArrayLike<number>,
  options: { classes?: number } = {},
): Uint8Array {
  checkOptions("writeCifar10", options, ["classes"]);
  const { classes = 10 } = options;
  if (!Number.isInteger(classes) || classes < 1 || classes > 256) {
    throw new ValueError(`writeCifar10: classes must be an integer in [1, 256], got ${classes}`);
  }
  checkImages(images, labels.length, "writeCifar10");
  const out = new Uint8Array(labels.length * CIFAR10_RECORD_BYTES);
  for (let r = 0; r < labels.length; r++) {
    const label = labels[r]!;
    checkLabel("writeCifar10", "label", label, r, classes);
    out[r * CIFAR10_RECORD_BYTES] = label;
    out.set(images.subarray(r * IMAGE_BYTES, (r + 1) * IMAGE_BYTES), r * CIFAR10_RECORD_BYTES + 1);
  }
  return out;
}

/** Writes CIFAR-100 binary records: the inverse of parseCifar100 (coarse labels in [0, 20), fine in [0, 100)). */
export function writeCifar100(
  images: Uint8Array,
  coarseLabels: ArrayLike<number>,
  fineLabels: ArrayLike<number>,
): Uint8Array {
  checkImages(images, fineLabels.length, "writeCifar100");
  if (coarseLabels.length !== fineLabels.length)
    throw new ValueError(`writeCifar100: ${coarseLabels.length} coarse labels but ${fineLabels.length} fine labels`);
  const out = new Uint8Array(fineLabels.length * CIFAR100_RECORD_BYTES);
  for (let r = 0; r < fineLabels.length; r++) {
    checkLabel("writeCifar100", "coarse label", coarseLabels[r]!, r, 20);
    checkLabel("writeCifar100", "fine label", fineLabels[r]!, r, 100);
    out[r * CIFAR100_RECORD_BYTES] = coarseLabels[r]!;
    out[r * CIFAR100_RECORD_BYTES + 1] = fineLabels[r]!;
    out.set(images.subarray(r * IMAGE_BYTES, (r + 1) * IMAGE_BYTES), r * CIFAR100_RECORD_BYTES + 2);
  }
  return out;
}
