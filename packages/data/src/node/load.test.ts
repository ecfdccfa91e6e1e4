import { DataFormatError, Rng } from "@slope/core";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { IMAGE_BYTES, writeCifar10, writeCifar100 } from "../cifar/format.js";
import { writeCifarPickle } from "../cifar/pickle.js";
import { loadCifar10, loadCifar100 } from "./load.js";

const root = mkdtempSync(join(tmpdir(), "slope-load-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function batch(count: number, seed: number, classes = 10) {
  const rng = new Rng(seed);
  const images = Uint8Array.from({ length: count * IMAGE_BYTES }, () => rng.int(256));
  const labels = Uint8Array.from({ length: count }, () => rng.int(classes));
  return { images, labels };
}

/** Writes a small CIFAR-10 layout: five training batches of `per` records and a test batch. */
function writeLayout(dir: string, per: number, python = false) {
  mkdirSync(dir, { recursive: true });
  const batches = [1, 2, 3, 4, 5, 6].map((i) => batch(per, i));
  batches.forEach((b, i) => {
    const name = i < 5 ? `data_batch_${i + 1}` : "test_batch";
    if (python) writeFileSync(join(dir, name), writeCifarPickle(b.images, b.labels));
    else writeFileSync(join(dir, `${name}.bin`), writeCifar10(b.images, b.labels));
  });
  if (python) writeFileSync(join(dir, "batches.meta"), new Uint8Array([0x80, 2, 0x7d, 0x2e]));
  else writeFileSync(join(dir, "batches.meta.txt"), "plane\ncar\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n");
  return batches;
}

describe("loadCifar10", () => {
  const binary = join(root, "bin", "cifar-10-batches-bin");
  const batches = writeLayout(binary, 4);

  it("reads the five training batches in order, from the folder or its parent, with labelNames from batches.meta.txt", () => {
    for (const dir of [binary, join(root, "bin")]) {
      const train = loadCifar10(dir, { split: "train" });
      expect(train.count).toBe(20);
      expect(train.labelNames[0]).toBe("plane");
      expect(train.labelNames).toHaveLength(10);
      for (let i = 0; i < 5; i++) {
        expect(Array.from(train.labels.subarray(i * 4, (i + 1) * 4))).toEqual(Array.from(batches[i]!.labels));
        expect(
          Buffer.from(train.images.subarray(i * 4 * IMAGE_BYTES, (i + 1) * 4 * IMAGE_BYTES)).equals(
            Buffer.from(batches[i]!.images),
          ),
        ).toBe(true);
      }
    }
    const test = loadCifar10(binary, { split: "test" });
    expect(test.count).toBe(4);
    expect(Array.from(test.labels)).toEqual(Array.from(batches[5]!.labels));
  });

  it("reads the python layout (cifar-10-batches-py) to the same images and labels", () => {
    const python = join(root, "py", "cifar-10-batches-py");
    const written = writeLayout(python, 3, true);
    const train = loadCifar10(join(root, "py"));
    expect(train.count).toBe(15);
    expect(Array.from(train.labels.subarray(0, 3))).toEqual(Array.from(written[0]!.labels));
    expect(Buffer.from(train.images.subarray(0, 3 * IMAGE_BYTES)).equals(Buffer.from(written[0]!.images))).toBe(true);
  });

  it("a missing batch, a truncated file and a missing folder are DataFormatErrors that say where", () => {
    const broken = join(root, "broken", "cifar-10-batches-bin");
    writeLayout(broken, 2);
    rmSync(join(broken, "data_batch_3.bin"));
    expect(() => loadCifar10(broken)).toThrow(DataFormatError);
    expect(() => loadCifar10(broken)).toThrow(/missing batch .*data_batch_3.bin/);
    writeFileSync(join(broken, "test_batch.bin"), new Uint8Array(3073 + 10));
    expect(() => loadCifar10(broken, { split: "test" })).toThrow(
      /test_batch.bin: 3083 bytes .* byte offset 3073 is truncated/,
    );
    const nowhere = join(root, "does-not-exist");
    expect(() => loadCifar10(nowhere)).toThrow(
      new RegExp(`the folder ${nowhere} does not exist \\(looked for .*cifar-10-batches-bin.*\\); get it with`),
    );
    expect(() => loadCifar10(root)).toThrow(/no CIFAR batches in/);
    expect(() => loadCifar10(binary, { split: "val" as never })).toThrow(/split must be "train" or "test"/);
  });
});

describe("loaders refuse what is not a data set", () => {
  it("an empty batch file is refused, in the binary and the python layout and for CIFAR-100", () => {
    const bin = join(root, "empty", "cifar-10-batches-bin");
    writeLayout(bin, 2);
    writeFileSync(join(bin, "data_batch_4.bin"), new Uint8Array(0));
    expect(() => loadCifar10(bin)).toThrow(/data_batch_4.bin is empty/);
    const py = join(root, "empty-py", "cifar-10-batches-py");
    writeLayout(py, 2, true);
    writeFileSync(join(py, "test_batch"), writeCifarPickle(new Uint8Array(0), []));
    expect(() => loadCifar10(py, { split: "test" })).toThrow(/test_batch: an empty batch/);
    const c100 = join(root, "empty-100", "cifar-100-binary");
    mkdirSync(c100, { recursive: true });
    writeFileSync(join(c100, "train.bin"), new Uint8Array(0));
    expect(() => loadCifar100(c100)).toThrow(/train.bin is empty/);
  });

  it("python-layout labels are range-checked as the binary layout's are", () => {
    const py = join(root, "labels-py", "cifar-10-batches-py");
    writeLayout(py, 2, true);
    const { images } = batch(2, 3);
    const labels = [3, 77];
    // writeCifarPickle writes what it is given; the loader must refuse it.
    writeFileSync(join(py, "test_batch"), writeCifarPickle(images, labels));
    expect(() => loadCifar10(py, { split: "test" })).toThrow(/test_batch: label 77 at index 1 is outside \[0, 10\)/);
  });

  it("unknown options and option values are ValueErrors", () => {
    const bin = join(root, "opts", "cifar-10-batches-bin");
    writeLayout(bin, 1);
    expect(() => loadCifar10(bin, { spilt: "test" } as never)).toThrow(/loadCifar10: unknown option "spilt"/);
    expect(() => loadCifar100(bin, { labels: "Coarse" as never })).toThrow(
      /labels must be "fine" or "coarse", got "Coarse"/,
    );
  });
});

describe("loadCifar100", () => {
  it("reads train.bin and test.bin with fine or coarse labels", () => {
    const dir = join(root, "c100", "cifar-100-binary");
    mkdirSync(dir, { recursive: true });
    const { images } = batch(6, 9);
    const coarse = [0, 19, 5, 5, 1, 2],
      fine = [99, 0, 50, 51, 3, 4];
    writeFileSync(join(dir, "train.bin"), writeCifar100(images, coarse, fine));
    const data = loadCifar100(join(root, "c100"));
    expect(Array.from(data.labels)).toEqual(fine);
    expect(data.labelNames).toHaveLength(100);
    expect(data.labelNames[99]).toBe("worm");
    const byCoarse = loadCifar100(dir, { labels: "coarse" });
    expect(Array.from(byCoarse.labels)).toEqual(coarse);
    expect(byCoarse.labelNames[19]).toBe("vehicles_2");
    expect(() => loadCifar100(dir, { split: "test" })).toThrow(/missing batch .*test.bin/);
  });
});
