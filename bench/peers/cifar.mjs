// The lecture's data for `pnpm bench:peers`: CIFAR-10's 50,000 training images as uint8 bytes (R, G, B planes) and
// their labels. The real set when ../shared/datasets/cifar-10-binary.tar.gz is beside the repository (or
// $SLOPE_CIFAR_DIR names an unpacked cifar-10-batches-bin): unpacked once into a cache folder under os.tmpdir() by
// @slope/data's downloadCifar10 (served to it from that file on 127.0.0.1, so the unpacking is atomic and each
// batch's MD5 is checked against the official one), never into the repository. Without it, CIFAR-shaped random
// bytes and labels from a seeded Rng.
import { createHash } from "node:crypto";
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Rng } from "@slope/core";
import { IMAGE_BYTES } from "@slope/data";
import { cachedCifar10, downloadCifar10, loadCifar10 } from "@slope/data/node";

/** Where the shared archive is: $SLOPE_DATASETS_DIR, else ../shared/datasets beside the repository. */
export const CIFAR10_ARCHIVE = join(
  process.env.SLOPE_DATASETS_DIR ?? resolve(import.meta.dirname, "..", "..", "..", "shared", "datasets"),
  "cifar-10-binary.tar.gz",
);
/** The cache the archive is unpacked into (outside the repository). */
export const CACHE_DIR = join(tmpdir(), "slope-bench-peers");

function md5OfFile(file) {
  return new Promise((done, fail) => {
    const hash = createHash("md5");
    createReadStream(file)
      .on("data", (chunk) => hash.update(chunk))
      .on("end", () => done(hash.digest("hex")))
      .on("error", fail);
  });
}

/** Unpacks `archive` into CACHE_DIR (once) through downloadCifar10, and returns the cifar-10-batches-bin folder. */
async function unpackOnce(archive) {
  const cached = cachedCifar10(CACHE_DIR);
  if (cached) return cached;
  const server = createServer((_, response) => {
    response.setHeader("content-length", statSync(archive).size);
    createReadStream(archive).pipe(response);
  });
  await new Promise((listening) => server.listen(0, "127.0.0.1", listening));
  try {
    // The archive's own MD5 is the file's (the shared copy is re-packed, see shared/datasets/README.md); each member's
    // is checked against the official one by downloadCifar10.
    return await downloadCifar10({
      cacheDir: CACHE_DIR,
      url: `http://127.0.0.1:${server.address().port}/cifar-10-binary.tar.gz`,
      archiveMd5: await md5OfFile(archive),
    });
  } finally {
    server.closeAllConnections();
    await new Promise((closed) => server.close(closed));
  }
}

/** `count` CIFAR-shaped images of uniformly random bytes and labels in 0..9, from Rng(seed). */
export function randomCifar(count = 50_000, seed = "peers-cifar") {
  const rng = new Rng(seed);
  const images = new Uint8Array(count * IMAGE_BYTES);
  const words = new Uint32Array(images.buffer);
  for (let i = 0; i < words.length; i++) words[i] = Math.floor(rng.uniform() * 4294967296);
  const labels = Uint8Array.from({ length: count }, () => rng.int(10));
  return { images, labels, count };
}

/**
 * The lecture's training set: { images, labels, count, dir (the batches folder, or null), source (in words) }.
 * `synthetic: true` takes the random bytes even when the real set is there.
 */
export async function lectureData({ synthetic = false } = {}) {
  let dir = null;
  if (!synthetic) {
    if (process.env.SLOPE_CIFAR_DIR) dir = process.env.SLOPE_CIFAR_DIR;
    else if (existsSync(CIFAR10_ARCHIVE)) dir = await unpackOnce(CIFAR10_ARCHIVE);
  }
  if (dir === null) {
    const why = synthetic ? "--synthetic" : `no ${CIFAR10_ARCHIVE}; set SLOPE_DATASETS_DIR to the folder holding it`;
    return { ...randomCifar(), dir: null, source: `CIFAR-shaped random bytes, seeded (${why})` };
  }
  const { images, labels, count } = loadCifar10(dir);
  return { images, labels, count, dir, source: `CIFAR-10's training set (${dir})` };
}
