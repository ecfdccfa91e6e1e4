import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { type ClientRequest, get as httpGet, type IncomingMessage } from "node:http";
import { get as httpsGet } from "node:https";
import { hostname } from "node:os";
import { isAbsolute, join, normalize, sep } from "node:path";
import { DataFormatError, SlopeError, ValueError } from "@slope/core";
import * as tar from "tar";
import { checkOptions } from "../options.js";
import { defaultCacheDir } from "./cache-dir.js";
/**
 * A download that failed: a bad status, a cut or idle connection, an abort, a wrong checksum, a
 * cache folder in the way. Nothing is left in the cache.
 */
export class DownloadError extends SlopeError {}

/** Bytes received so far and the total (null when the server does not say). */
export interface DownloadProgress {
  /** Bytes of the archive received so far. */
  received: number;
  /** The archive's size in bytes from the server's Content-Length, or null when it does not send one. */
  total: number | null;
}

/** Options of the downloaders. */
export interface DownloadOptions {
  /** The cache folder (defaultCacheDir(): $SLOPE_CACHE_DIR, else the platform's cache folder). */
  cacheDir?: string;
  /** Where the archive is served (the official address by default). */
  url?: string;
  /** Called as the archive arrives, with the bytes received so far and the total when the server says it. */
  onProgress?: (progress: DownloadProgress) => void;
  /** The archive's MD5 (the official one by default). */
  archiveMd5?: string;
  /** MD5 of each member file, by name inside the data set folder (the official ones by default). */
  memberMd5s?: Record<string, string>;
  /**
   * Milliseconds without a byte from the server (before its headers or mid-body) after which the
   * download is given up with a DownloadError: 30 s by default.
   */
  timeoutMs?: number;
  /** Aborts the download (a DownloadError; nothing is left in the cache). */
  signal?: AbortSignal;
}

const OPTION_NAMES = ["cacheDir", "url", "onProgress", "archiveMd5", "memberMd5s", "timeoutMs", "signal"];

/** What a data set archive is: its address, checksum, top folder and member checksums. */
interface DatasetSpec {
  name: string;
  url: string;
  archiveMd5: string;
  folder: string;
  memberMd5s: Record<string, string>;
  /**
   * Every file the data set's folder holds, with its size in bytes: an archive with another file,
   * or a file larger than this, is refused before anything is extracted (a small archive can
   * unpack to gigabytes).
   */
  memberSizes: Record<string, number>;
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
  memberSizes: {
    "data_batch_1.bin": 30_730_000,
    "data_batch_2.bin": 30_730_000,
    "data_batch_3.bin": 30_730_000,
    "data_batch_4.bin": 30_730_000,
    "data_batch_5.bin": 30_730_000,
    "test_batch.bin": 30_730_000,
    "batches.meta.txt": 61,
    "readme.html": 88,
  },
};

const CIFAR100: DatasetSpec = {
  name: "CIFAR-100",
  url: "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz",
  archiveMd5: "03b5dce01913d631647c71ecec9e9cb8",
  folder: "cifar-100-binary",
  memberMd5s: { "train.bin": "6172c7755cfe09b2fe270c85cebc1b15", "test.bin": "4499cfba6c016c1be1438163640a0898" },
  memberSizes: {
    "train.bin": 153_700_000,
    "test.bin": 30_740_000,
    "fine_label_names.txt": 4_096,
    "coarse_label_names.txt": 4_096,
  },
};

/** The file that marks a data set folder as complete and checked. */
const COMPLETE = ".slope-complete";
/** The file in a temporary download folder naming the process that owns it (`host pid`). */
const OWNER = ".slope-download-owner";

/** Ends a transfer: an idle connection, an abort, or the server's own error. */
interface Watch {
  /** Call on every sign of life (headers, a chunk): restarts the idle timer. */
  alive(): void;
  /** Rejects with the reason the transfer ended early, once. */
  ended: Promise<never>;
  stop(): void;
}

/**
 * One idle timer and the caller's AbortSignal for a whole transfer (redirects included): either
 * destroys the current request and rejects `ended` with a DownloadError.
 */
function watch(
  url: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  current: () => ClientRequest | null,
): Watch {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let reject!: (error: Error) => void;
  const ended = new Promise<never>((_, r) => {
    reject = r;
  });
  ended.catch(() => {}); // observed by whoever races it
  const end = (error: DownloadError) => {
    stop();
    reject(error);
    current()?.destroy(error);
  };
  const alive = () => {
    if (timer !== null) clearTimeout(timer);
    const idle = () => end(new DownloadError(`download: ${url}: no data for ${timeoutMs} ms (timeoutMs); gave up`));
    timer = setTimeout(idle, timeoutMs);
  };
  const onAbort = () => end(new DownloadError(`download: ${url}: aborted`));
  const stop = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    signal?.removeEventListener("abort", onAbort);
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  alive();
  return { alive, ended, stop };
}

function request(url: string, w: Watch, track: (r: ClientRequest) => void, redirects = 5): Promise<IncomingMessage> {
  return new Promise((resolvePromise, reject) => {
    const get = url.startsWith("https:") ? httpsGet : url.startsWith("http:") ? httpGet : null;
    if (!get) return reject(new DownloadError(`download: only http and https addresses are supported, got ${url}`));
    const req = get(url, (response) => {
      w.alive();
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location && redirects > 0) {
        response.resume();
        resolvePromise(request(new URL(response.headers.location, url).toString(), w, track, redirects - 1));
      } else if (status !== 200) {
        response.resume();
        reject(new DownloadError(`download: ${url} answered HTTP ${status}`));
      } else {
        resolvePromise(response);
      }
    });
    track(req);
    req.on("error", (error) => {
      reject(error instanceof DownloadError ? error : new DownloadError(`download: ${url}: ${error.message}`));
    });
  });
}

/**
 * Streams `url` into `file`, returning the MD5 of what arrived; a short, broken, idle (no byte for
 * `timeoutMs`) or aborted transfer is a DownloadError.
 */
async function fetchToFile(url: string, file: string, options: DownloadOptions): Promise<string> {
  const { onProgress, timeoutMs = 30_000, signal } = options;
  if (signal?.aborted) throw new DownloadError(`download: ${url}: aborted before it started`);
  let current: ClientRequest | null = null;
  const w = watch(url, timeoutMs, signal, () => current);
  try {
    const response = await Promise.race([
      request(url, w, (r) => {
        current = r;
      }),
      w.ended,
    ]);
    const header = response.headers["content-length"];
    const total = header ? Number(header) : null;
    const hash = createHash("md5");
    let received = 0;
    await Promise.race([
      w.ended,
      new Promise<void>((resolvePromise, reject) => {
        const out = createWriteStream(file);
        const fail = (error: Error) => {
          out.destroy();
          reject(error instanceof DownloadError ? error : new DownloadError(`download: ${url}: ${error.message}`));
        };
        response.on("data", (chunk: Buffer) => {
          w.alive();
          received += chunk.length;
          hash.update(chunk);
          onProgress?.({ received, total });
        });
        response.on("aborted", () => {
          fail(new DownloadError(`download: ${url}: the connection was cut after ${received} bytes`));
        });
        response.on("error", fail);
        out.on("error", fail);
        out.on("finish", () => {
          if (total !== null && received !== total) {
            reject(new DownloadError(`download: ${url}: the connection was cut after ${received} of ${total} bytes`));
          } else resolvePromise();
        });
        response.pipe(out);
      }),
    ]);
    return hash.digest("hex");
  } finally {
    w.stop();
    (current as ClientRequest | null)?.destroy();
  }
}

function md5OfFile(file: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash("md5");
    createReadStream(file)
      .on("data", (chunk) => hash.update(chunk))
      .on("end", () => resolvePromise(hash.digest("hex")))
      .on("error", reject);
  });
}

/**
 * Reads the archive's headers and refuses it, before anything is extracted, when an entry could land
 * outside the target (absolute paths, `..`, links, devices) or is not a file of the data set
 * (another name, or larger than the data set's file: a 2.7 MB archive can hold a 1 GiB member).
 * A corrupt gzip stream or tar is a DataFormatError too. Stops reading at the first bad entry.
 */
function checkEntries(archive: string, spec: DatasetSpec, memberMd5s: Record<string, string>): Promise<void> {
  const largest = Math.max(...Object.values(spec.memberSizes));
  const allowed = new Map<string, number>(Object.entries(spec.memberSizes));
  for (const name of Object.keys(memberMd5s)) if (!allowed.has(name)) allowed.set(name, largest);
  return new Promise((resolvePromise, reject) => {
    const input = createReadStream(archive);
    let done = false;
    const refuse = (why: string) => {
      if (done) return;
      done = true;
      input.destroy();
      reject(new DataFormatError(`download: refusing the archive: ${why}`));
    };
    const parser = new tar.Parser({
      strict: true,
      onReadEntry: (entry) => {
        const path = entry.path;
        const parts = normalize(path).split(sep);
        const inside = path
          .replace(/^(\.\/)+/, "")
          .replace(/\/+$/, "")
          .split("/");
        if (isAbsolute(path) || /^[a-zA-Z]:/.test(path) || path.split("/").includes("..") || parts.includes("..")) {
          refuse(`${path} (outside the target folder)`);
        } else if (entry.type !== "File" && entry.type !== "Directory" && entry.type !== "OldFile") {
          refuse(`${path} (a ${entry.type} entry)`);
        } else if (inside[0] !== spec.folder || inside.length !== (entry.type === "Directory" ? 1 : 2)) {
          refuse(
            `${path} (the data set has no such ${entry.type === "Directory" ? "folder" : "file"}; ` +
              `it has ${spec.folder}/ holding ${[...allowed.keys()].join(", ")})`,
          );
        } else if (entry.type !== "Directory") {
          const largestAllowed = allowed.get(inside[1] ?? "");
          if (largestAllowed === undefined) {
            refuse(`${path} (the data set has no such file; it has ${[...allowed.keys()].join(", ")})`);
          } else if ((entry.size ?? 0) > largestAllowed) {
            refuse(`${path} is ${entry.size} bytes, more than the data set's ${largestAllowed}`);
          }
        }
        entry.resume();
      },
    });
    parser.on("error", (error: Error) => refuse(`not a valid tar.gz (${error.message})`));
    input.on("error", (error) => refuse(`cannot read it (${error.message})`));
    parser.on("end", () => {
      if (!done) {
        done = true;
        resolvePromise();
      }
    });
    input.pipe(parser);
  });
}

/** True when `pid` is a live process on this machine. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes the temporary folders of downloads killed before they could clean up: only folders named
 * as this library names them, holding its owner file, whose process (on this host) is gone.
 */
async function removeStaleDownloads(cacheDir: string, folder: string): Promise<void> {
  const prefix = `.download-${folder}-`;
  for (const name of await readdir(cacheDir).catch(() => [] as string[])) {
    if (!name.startsWith(prefix)) continue;
    const dir = join(cacheDir, name);
    const owner = await readFile(join(dir, OWNER), "utf8").catch(() => null);
    if (owner === null) continue;
    const [host, pid] = owner.trim().split(" ");
    if (host === hostname() && Number.isInteger(Number(pid)) && !alive(Number(pid))) {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/**
 * Downloads, checks and unpacks one data set into `cacheDir/<folder>`, atomically: everything
 * happens in a temporary folder beside it, and only a fully checked folder is renamed into place.
 * A complete folder is not fetched again; a failed attempt leaves nothing behind; a folder of that
 * name that this library did not finish is never touched (the download is refused, saying so).
 */
async function downloadDataset(spec: DatasetSpec, options: DownloadOptions): Promise<string> {
  const where = spec === CIFAR10 ? "downloadCifar10" : "downloadCifar100";
  checkOptions(where, options, OPTION_NAMES);
  const { timeoutMs = 30_000, signal } = options;
  if (!(typeof timeoutMs === "number" && Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new ValueError(`${where}: timeoutMs must be a number > 0, got ${String(timeoutMs)}`);
  }
  if (signal !== undefined && (typeof signal !== "object" || signal === null || typeof signal.aborted !== "boolean")) {
    throw new ValueError(`${where}: signal must be an AbortSignal`);
  }
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const target = join(cacheDir, spec.folder);
  if (existsSync(join(target, COMPLETE))) return target;
  const inTheWay = () =>
    new DownloadError(
      `${where}: ${target} already exists but was not made by a finished ` +
        "Slope download " +
        `(it has no ${COMPLETE}); it is left as it is. Load it directly with loadCifar${spec === CIFAR10 ? "10" : "100"}(` +
        `${JSON.stringify(cacheDir)}), or move or delete it yourself, or pass another cacheDir`,
    );
  if (existsSync(target)) throw inTheWay();
  await mkdir(cacheDir, { recursive: true });
  await removeStaleDownloads(cacheDir, spec.folder);
  const work = await mkdtemp(join(cacheDir, `.download-${spec.folder}-`));
  try {
    await writeFile(join(work, OWNER), `${hostname()} ${process.pid}\n`);
    const archive = join(work, "archive.tar.gz");
    const url = options.url ?? spec.url;
    const md5 = await fetchToFile(url, archive, options);
    const expected = options.archiveMd5 ?? spec.archiveMd5;
    if (md5 !== expected)
      throw new DownloadError(`download: ${spec.name} archive from ${url} has MD5 ${md5}, expected ${expected}`);
    const memberMd5s = options.memberMd5s ?? spec.memberMd5s;
    await checkEntries(archive, spec, memberMd5s);
    const extracted = join(work, "extracted");
    await mkdir(extracted);
    try {
      await tar.x({
        file: archive,
        cwd: extracted,
        strict: true,
        filter: (_path, entry) => "type" in entry && ["File", "Directory", "OldFile"].includes(entry.type),
      });
    } catch (error) {
      const why = (error as Error).message;
      throw new DataFormatError(`download: the ${spec.name} archive could not be unpacked: ${why}`);
    }
    const folder = join(extracted, spec.folder);
    for (const [member, sum] of Object.entries(memberMd5s)) {
      const file = join(folder, member);
      if (!existsSync(file))
        throw new DataFormatError(`download: the ${spec.name} archive has no ${spec.folder}/${member}`);
      const actual = await md5OfFile(file);
      if (actual !== sum)
        throw new DataFormatError(`download: ${spec.folder}/${member} has MD5 ${actual}, expected ${sum}`);
    }
    await writeFile(join(folder, COMPLETE), `${spec.name} from ${url}, archive MD5 ${md5}\n`);
    if (existsSync(target)) throw inTheWay(); // made while this download ran
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
