import { DataFormatError, Rng, ValueError } from "@slope/core";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  CIFAR10_RECORD_BYTES,
  IMAGE_BYTES,
  parseCifar10,
  parseCifar100,
  writeCifar10,
  writeCifar100,
} from "./format.js";
import { readCifarPickle, unpickle, writeCifarPickle } from "./pickle.js";

import { FIXTURE_100, available } from "../../../../tests/support/datasets.js";

const hasFixture = available(FIXTURE_100, "the 100-record fixture test");

function randomImages(count: number, seed: number): Uint8Array {
  const rng = new Rng(seed);
  return Uint8Array.from({ length: count * IMAGE_BYTES }, () => rng.int(256));
}

describe("CIFAR binary records", () => {
  it.skipIf(!hasFixture)("the 100-record fixture parses to labels 3 8 8 0 6 6 1 6 3 1 …", () => {
    const bytes = new Uint8Array(readFileSync(FIXTURE_100));
    const parsed = parseCifar10(bytes, { file: FIXTURE_100 });
    expect(parsed.count).toBe(100);
    expect(Array.from(parsed.labels.subarray(0, 10))).toEqual([3, 8, 8, 0, 6, 6, 1, 6, 3, 1]);
    expect(Array.from(parsed.images.subarray(0, 3))).toEqual(Array.from(bytes.subarray(1, 4)));
    expect(Buffer.from(writeCifar10(parsed.images, parsed.labels)).equals(Buffer.from(bytes))).toBe(true);
  });

  it("CIFAR-10 records round-trip through writeCifar10 and parseCifar10", () => {
    const images = randomImages(7, 1);
    const labels = [0, 9, 3, 3, 5, 1, 2];
    const bytes = writeCifar10(images, labels);
    expect(bytes.length).toBe(7 * CIFAR10_RECORD_BYTES);
    const parsed = parseCifar10(bytes);
    expect(parsed.images).toEqual(images);
    expect(Array.from(parsed.labels)).toEqual(labels);
  });

  it("CIFAR-100 records round-trip with both label sets", () => {
    const images = randomImages(4, 2);
    const bytes = writeCifar100(images, [19, 0, 7, 3], [99, 0, 42, 8]);
    const fine = parseCifar100(bytes);
    expect(Array.from(fine.labels)).toEqual([99, 0, 42, 8]);
    expect(Array.from(parseCifar100(bytes, { labels: "coarse" }).labels)).toEqual([19, 0, 7, 3]);
    expect(fine.images).toEqual(images);
  });

  it("a size that is not a whole number of records names the file and the truncated record's offset", () => {
    const bytes = writeCifar10(randomImages(3, 3), [1, 2, 3]).subarray(0, 2 * CIFAR10_RECORD_BYTES + 100);
    expect(() => parseCifar10(bytes, { file: "data_batch_1.bin" })).toThrow(DataFormatError);
    expect(() => parseCifar10(bytes, { file: "data_batch_1.bin" })).toThrow(
      /data_batch_1.bin: 6246 bytes is not a whole number of 3073-byte records: the record starting at byte offset 6146 is truncated \(100 of 3073 bytes\)/,
    );
  });

  it("a label out of range names the file, the byte offset and the record", () => {
    const bytes = writeCifar10(randomImages(3, 4), [1, 2, 3]);
    bytes[2 * CIFAR10_RECORD_BYTES] = 12;
    expect(() => parseCifar10(bytes, { file: "test_batch.bin" })).toThrow(
      /test_batch.bin: label 12 at byte offset 6146 \(record 2\) is outside \[0, 10\)/,
    );
    const hundred = writeCifar100(randomImages(1, 5), [19], [0]);
    hundred[0] = 20;
    expect(() => parseCifar100(hundred, { file: "train.bin" })).toThrow(/coarse label 20 at byte offset 0/);
  });
});

describe("the writers refuse what their parsers would refuse", () => {
  it("writeCifar10 refuses a label outside [0, 10) (or [0, classes)); writeCifar100 refuses 300, not wraps", () => {
    expect(() => writeCifar10(randomImages(2, 6), [3, 10])).toThrow(
      /writeCifar10: label 10 at index 1 is outside \[0, 10\)/,
    );
    expect(() => writeCifar10(randomImages(1, 6), [-1])).toThrow(ValueError);
    expect(() => writeCifar10(randomImages(1, 6), [0.5])).toThrow(ValueError);
    expect(parseCifar10(writeCifar10(randomImages(1, 6), [42], { classes: 100 }), { classes: 100 }).labels[0]).toBe(42);
    expect(() => writeCifar100(randomImages(1, 6), [3], [300])).toThrow(
      /writeCifar100: fine label 300 at index 0 is outside \[0, 100\)/,
    );
    expect(() => writeCifar100(randomImages(1, 6), [20], [3])).toThrow(/coarse label 20/);
    expect(() => writeCifar100(randomImages(1, 6), [3], [100])).toThrow(ValueError);
  });

  it("unknown options and option values of the parsers are ValueErrors", () => {
    expect(() => parseCifar10(new Uint8Array(0), { flie: "x" } as never)).toThrow(
      /parseCifar10: unknown option "flie"/,
    );
    expect(() => parseCifar100(new Uint8Array(0), { labels: "Fine" as never })).toThrow(
      /labels must be "fine" or "coarse", got "Fine"/,
    );
    expect(() => writeCifar10(new Uint8Array(0), [], { clases: 3 } as never)).toThrow(ValueError);
  });
});

describe("the python layout (pickled batches)", () => {
  it("a batch written as Python 2's cPickle wrote them reads back", () => {
    const images = randomImages(5, 6);
    const labels = [4, 0, 9, 2, 2];
    const pickled = writeCifarPickle(images, labels, { batchLabel: "training batch 1 of 5" });
    const batch = readCifarPickle(pickled);
    expect(batch.count).toBe(5);
    expect(Array.from(batch.labels)).toEqual(labels);
    expect(batch.images).toEqual(images);
    const dict = unpickle(pickled) as Map<string, unknown>;
    expect(new TextDecoder().decode(dict.get("batch_label") as Uint8Array)).toBe("training batch 1 of 5");
    expect((dict.get("filenames") as unknown[]).length).toBe(5);
  });

  it("refuses opcodes and callables outside the subset, and truncation, naming the offset", () => {
    expect(() =>
      unpickle(
        Uint8Array.from([0x80, 2, 0x63, ...Array.from("os\nsystem\n", (c) => c.charCodeAt(0)), 0x29, 0x52, 0x2e]),
        "evil.pkl",
      ),
    ).toThrow(/evil.pkl: refusing to call os.system at byte offset 14/);
    expect(() => unpickle(Uint8Array.from([0x80, 2, 0x7d, 0x54, 9, 0, 0]), "short.pkl")).toThrow(
      /short.pkl: truncated pickle/,
    );
    expect(() => unpickle(Uint8Array.from([0x80, 2, 0x01]), "odd.pkl")).toThrow(
      /unsupported pickle opcode 0x1 at byte offset 2/,
    );
  });
});
