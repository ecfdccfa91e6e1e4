// Loading CIFAR-10's 50,000 training images: loadCifar10 beside a plain fs.readFileSync of the same
// five files, and the conversion to float32 features, in MB/s of file bytes; and ImageFeatures,
// which keeps the bytes and converts each batch as it is gathered, against a float32 gather.
import b from "benny";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as tar from "tar";
import { loadCifar10 } from "@slope/data/node";
import { Rng, gather, zeros } from "@slope/core";
import { ImageFeatures, meanImage, toFeatures } from "@slope/data";

function cifarFolder() {
  if (process.env.SLOPE_CIFAR_DIR) return process.env.SLOPE_CIFAR_DIR;
  const archive = resolve(import.meta.dirname, "..", "..", "shared", "datasets", "cifar-10-binary.tar.gz");
  if (!existsSync(archive)) return null;
  const target = join(tmpdir(), "slope-bench-cifar");
  if (!existsSync(join(target, "cifar-10-batches-bin", "test_batch.bin"))) {
    mkdirSync(target, { recursive: true });
    tar.x({ file: archive, cwd: target, sync: true });
  }
  return join(target, "cifar-10-batches-bin");
}

const dir = cifarFolder();
if (!dir) {
  console.log(
    "bench/data: no CIFAR-10 (set SLOPE_CIFAR_DIR or put cifar-10-binary.tar.gz in ../shared/datasets): skipped",
  );
  process.exit(0);
}
const files = [1, 2, 3, 4, 5].map((i) => join(dir, `data_batch_${i}.bin`));
const megabytes = files.reduce((n, f) => n + readFileSync(f).length, 0) / 1e6;
const train = loadCifar10(dir);
const rows = [];
await b.suite(
  `CIFAR-10 training set (${megabytes.toFixed(1)} MB in 5 files)`,
  b.add("fs.readFileSync of the 5 files", () => {
    for (const f of files) readFileSync(f);
  }),
  b.add("loadCifar10 (read + parse into one buffer)", () => {
    loadCifar10(dir);
  }),
  b.add("loadCifar10 + toFeatures float32", () => {
    const t = loadCifar10(dir);
    toFeatures(t.images, t.count);
  }),
  b.add("toFeatures float32 alone", () => {
    toFeatures(train.images, train.count);
  }),
  b.add("loadCifar10 + ImageFeatures (float32 a batch at a time)", () => {
    const t = loadCifar10(dir);
    new ImageFeatures(t.images, t.count);
  }),
  b.cycle(),
  b.complete((summary) => {
    const base = summary.results[0].ops;
    for (const r of summary.results)
      rows.push({
        step: r.name,
        "MB/s": +(r.ops * megabytes).toFixed(0),
        "time vs plain read": +(base / r.ops).toFixed(2),
      });
  }),
);
console.log(`\nloading CIFAR-10, repeated in one process (benny), Node ${process.version}`);
console.table(rows);

// What ImageFeatures pays instead: each batch converted as it is gathered. A batch of 256 random
// rows, with the lecture's preprocessing (mean image, scale, bias column), against gathering the
// same rows from the float32 tensor toFeatures made.
const preprocessing = { mean: meanImage(train.images, train.count), scale: 64, bias: true };
const wholeFloat = toFeatures(train.images, train.count, preprocessing);
const byBatch = new ImageFeatures(train.images, train.count, preprocessing);
const rng = new Rng("data-bench");
const batches = Array.from({ length: 64 }, () => Int32Array.from({ length: 256 }, () => rng.int(train.count)));
const out = zeros([256, 3073]);
let next = 0;
const batchRows = [];
await b.suite(
  "a batch of 256 random rows, float32 [256, 3073]",
  b.add("gather from the float32 tensor (614 MB)", () => {
    gather(wholeFloat, batches[next++ % 64], { out });
  }),
  b.add("ImageFeatures.gather from the bytes (154 MB)", () => {
    byBatch.gather(batches[next++ % 64], { out });
  }),
  b.cycle(),
  b.complete((summary) => {
    const base = summary.results[0].ops;
    for (const r of summary.results)
      batchRows.push({
        step: r.name,
        "ms per batch": +(1000 / r.ops).toFixed(3),
        "time vs float32 gather": +(base / r.ops).toFixed(2),
      });
  }),
);
console.table(batchRows);

// Loading happens once per program, into fresh memory: time that too, in new processes
// (median of 5), where both sides pay for first-touch page faults alike.
const once = (code) => {
  const times = [];
  for (let i = 0; i < 5; i++) {
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", code], {
      cwd: import.meta.dirname,
      encoding: "utf8",
      env: { ...process.env, DIR: dir },
    });
    times.push(Number(out));
  }
  return times.sort((a, b) => a - b)[2];
};
const clock = (body) =>
  `const s = process.hrtime.bigint(); ${body}; process.stdout.write(String(Number(process.hrtime.bigint() - s) / 1e6));`;
const plain = once(
  `import fs from "node:fs"; ${clock('for (let i = 1; i <= 5; i++) fs.readFileSync(process.env.DIR + "/data_batch_" + i + ".bin")')}`,
);
const loader = once(`import { loadCifar10 } from "@slope/data/node"; ${clock("loadCifar10(process.env.DIR)")}`);
const features = once(
  `import { loadCifar10 } from "@slope/data/node"; import { toFeatures } from "@slope/data"; ${clock("const t = loadCifar10(process.env.DIR); toFeatures(t.images, t.count)")}`,
);
const lazy = once(
  `import { loadCifar10 } from "@slope/data/node"; import { ImageFeatures } from "@slope/data"; ${clock("const t = loadCifar10(process.env.DIR); new ImageFeatures(t.images, t.count)")}`,
);
console.log("\nloading CIFAR-10 once, in a fresh process (median of 5)");
console.table([
  { step: "fs.readFileSync of the 5 files", ms: +plain.toFixed(1), "time vs plain read": 1 },
  { step: "loadCifar10", ms: +loader.toFixed(1), "time vs plain read": +(loader / plain).toFixed(2) },
  {
    step: "loadCifar10 + toFeatures float32",
    ms: +features.toFixed(1),
    "time vs plain read": +(features / plain).toFixed(2),
  },
  {
    step: "loadCifar10 + ImageFeatures (float32 a batch at a time)",
    ms: +lazy.toFixed(1),
    "time vs plain read": +(lazy / plain).toFixed(2),
  },
]);
