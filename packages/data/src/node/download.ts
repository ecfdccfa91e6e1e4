import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { get as httpGet, type IncomingMessage } from "node:http";
import { get as httpsGet } from "node:https";
import { isAbsolute, join, normalize, sep } from "node:path";
import { DataFormatError, SlopeError } from "@slope/core";
import * as tar from "tar";
import { defaultCacheDir } from "./cache-dir.js";

/** A download that failed: a bad status, a cut connection, a wrong checksum. Nothing is left in the cache. */
export class DownloadError extends SlopeError {}

/** Bytes received so far and the total (null when the server does not say). */
export interface DownloadProgress {
  received: number;
  total: number | null;
}

/** Options of the downloaders. */
export interface DownloadOptions {
  /** The cache folder (defaultCacheDir(): $SLOPE_CACHE_DIR, else the platform's cache folder). */
  cacheDir?: string;
  /** Where the archive is served (the official address by default). */
  url?: string;
  onProgress?: (progress: DownloadProgress) => void;
  /** The archive's MD5 (the official one by default). */
  archiveMd5?: string;
  /** MD5 of each member file, by name inside the data set folder (the official ones by default). */
  memberMd5s?: Record<string, string>;
}

/** What a data set archive is: its address, checksum, top folder and member checksums. */
interface DatasetSpec {
  name: string;
  url: string;
  archiveMd5: string;
  folder: string;
  memberMd5s: Record<string, string>;
}

const CIFAR10: DatasetSpec = {
  name: "CIFAR-10",
  url: "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
  archiveMd5: "c32a1d4ab5d03f1284b67883e8d87530",
  folder: "cifar-10-batches-bin",
  memberMd5s: {
    "data_batch_1.bin": "5dd7e06a14cb22eb9f671a540d1b7c25",
    "data_batch_2.bin": "5ea93a67294ea407fff1d09f752e9692",
    "data_batch_3.bin": "942cd6a4bcdd0dd3c604fbe906cb4421",
    "data_batch_4.bin": "ae636b3ba5c66a11e91e8cb52e771fcb",
    "data_batch_5.bin": "53f37980c15c3d472c316c40844f3f0d",
    "test_batch.bin": "803d5f7f4d78ea53de84dbe85f74fb6d",
  },
};

const CIFAR100: DatasetSpec = {
  name: "CIFAR-100",
  url: "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz",
  archiveMd5: "03b5dce01913d631647c71ecec9e9cb8",
  folder: "cifar-100-binary",
  memberMd5s: { "train.bin": "6172c7755cfe09b2fe270c85cebc1b15", "test.bin": "4499cfba6c016c1be1438163640a0898" },
};

/** The file that marks a data set folder as complete and checked. */
const COMPLETE = ".slope-complete";

function request(url: string, redirects = 5): Promise<IncomingMessage> {
  return new Promise((resolvePromise, reject) => {
    const get = url.startsWith("https:") ? httpsGet : url.startsWith("http:") ? httpGet : null;
    if (!get) return reject(new DownloadError(`download: only http and https addresses are supported, got ${url}`));
    get(url, (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location && redirects > 0) {
        response.resume();
        resolvePromise(request(new URL(response.headers.location, url).toString(), redirects - 1));
      } else if (status !== 200) {
        response.resume();
        reject(new DownloadError(`download: ${url} answered HTTP ${status}`));
      } else {
        resolvePromise(response);
      }
    }).on("error", (error) => reject(new DownloadError(`download: ${url}: ${error.message}`)));
  });
}

/** Streams `url` into `file`, returning the MD5 of what arrived; a short or broken transfer is an error. */
async function fetchToFile(url: string, file: string, onProgress?: (p: DownloadProgress) => void): Promise<string> {
  const response = await request(url);
  const header = response.headers["content-length"];
  const total = header ? Number(header) : null;
  const hash = createHash("md5");
  let received = 0;
  await new Promise<void>((resolvePromise, reject) => {
    const out = createWriteStream(file);
    const fail = (error: Error) => { out.destroy(); reject(error instanceof DownloadError ? error : new DownloadError(`download: ${url}: ${error.message}`)); };
    response.on("data", (chunk: Buffer) => {
      received += chunk.length;
      hash.update(chunk);
      onProgress?.({ received, total });
    });
    response.on("aborted", () => fail(new DownloadError(`download: ${url}: the connection was cut after ${received} bytes`)));
    response.on("error", fail);
    out.on("error", fail);
    out.on("finish", () => {
      if (total !== null && received !== total) reject(new DownloadError(`download: ${url}: the connection was cut after ${received} of ${total} bytes`));
      else resolvePromise();
    });
    response.pipe(out);
  });
  return hash.digest("hex");
}

function md5OfFile(file: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash("md5");
    createReadStream(file).on("data", (chunk) => hash.update(chunk)).on("end", () => resolvePromise(hash.digest("hex"))).on("error", reject);
  });
}

/** Refuses an archive with an entry that could land outside the target: absolute paths, `..`, links, devices. */
async function checkEntries(archive: string): Promise<void> {
  const bad: string[] = [];
  await tar.t({
    file: archive,
    onReadEntry: (entry) => {
      const path = entry.path;
      const parts = normalize(path).split(sep);
      if (isAbsolute(path) || /^[a-zA-Z]:/.test(path) || path.split("/").includes("..") || parts.includes("..")) bad.push(`${path} (outside the target folder)`);
      else if (entry.type !== "File" && entry.type !== "Directory" && entry.type !== "OldFile") bad.push(`${path} (a ${entry.type} entry)`);
    },
  });
  if (bad.length > 0) throw new DataFormatError(`download: refusing the archive: ${bad.join(", ")}`);
}

/**
 * Downloads, checks and unpacks one data set into `cacheDir/<folder>`, atomically: everything
 * happens in a temporary folder beside it, and only a fully checked folder is renamed into place.
 * A complete folder is not fetched again; a failed attempt leaves nothing behind.
 */
async function downloadDataset(spec: DatasetSpec, options: DownloadOptions): Promise<string> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const target = join(cacheDir, spec.folder);
  if (existsSync(join(target, COMPLETE))) return target;
  await mkdir(cacheDir, { recursive: true });
  const work = await mkdtemp(join(cacheDir, `.download-${spec.folder}-`));
  try {
    const archive = join(work, "archive.tar.gz");
    const url = options.url ?? spec.url;
    const md5 = await fetchToFile(url, archive, options.onProgress);
    const expected = options.archiveMd5 ?? spec.archiveMd5;
    if (md5 !== expected) throw new DownloadError(`download: ${spec.name} archive from ${url} has MD5 ${md5}, expected ${expected}`);
    await checkEntries(archive);
    const extracted = join(work, "extracted");
    await mkdir(extracted);
    await tar.x({ file: archive, cwd: extracted, strict: true, filter: (_path, entry) => "type" in entry && (entry.type === "File" || entry.type === "Directory" || entry.type === "OldFile") });
    const folder = join(extracted, spec.folder);
    for (const [member, sum] of Object.entries(options.memberMd5s ?? spec.memberMd5s)) {
      const file = join(folder, member);
      if (!existsSync(file)) throw new DataFormatError(`download: the ${spec.name} archive has no ${spec.folder}/${member}`);
      const actual = await md5OfFile(file);
      if (actual !== sum) throw new DataFormatError(`download: ${spec.folder}/${member} has MD5 ${actual}, expected ${sum}`);
    }
    await writeFile(join(folder, COMPLETE), `${spec.name} from ${url}, archive MD5 ${md5}\n`);
    await rm(target, { recursive: true, force: true }); // an unfinished folder from an older attempt
    await rename(folder, target);
    return target;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Downloads CIFAR-10 (binary version) into the cache and returns its cifar-10-batches-bin folder. */
export function downloadCifar10(options: DownloadOptions = {}): Promise<string> {
  return downloadDataset(CIFAR10, options);
}

/** Downloads CIFAR-100 (binary version) into the cache and returns its cifar-100-binary folder. */
export function downloadCifar100(options: DownloadOptions = {}): Promise<string> {
  return downloadDataset(CIFAR100, options);
}

/** The cached CIFAR-10 folder when a complete download is there, else null. */
export function cachedCifar10(cacheDir: string = defaultCacheDir()): string | null {
  const target = join(cacheDir, CIFAR10.folder);
  return existsSync(join(target, COMPLETE)) ? target : null;
}
