import { DataFormatError, Rng, ValueError } from "@slope/core";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CIFAR10_ARCHIVE, available } from "../../../../tests/support/datasets.js";
import { IMAGE_BYTES, writeCifar10 } from "../cifar/format.js";
import { channelStatistics } from "../preprocess/features.js";
import { defaultCacheDir } from "./cache-dir.js";
import { DownloadError, cachedCifar10, downloadCifar10, downloadCifar100 } from "./download.js";
import { loadCifar10 } from "./load.js";

/** One ustar entry: a 512-byte header and the content padded to 512 bytes. */
function tarEntry(name: string, content: Uint8Array, type = "0", linkName = ""): Uint8Array {
  const header = new Uint8Array(512);
  const put = (text: string, at: number) =>
    header.set(
      Array.from(text, (c) => c.charCodeAt(0)),
      at,
    );
  put(name, 0);
  put("0000644\0", 100);
  put("0000000\0", 108);
  put("0000000\0", 116);
  put(`${content.length.toString(8).padStart(11, "0")}\0`, 124);
  put("00000000000\0", 136);
  put("        ", 148);
  put(type, 156);
  put(linkName, 157);
  put("ustar\0", 257);
  put("00", 263);
  const sum = header.reduce((s, b) => s + b, 0);
  put(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  const body = new Uint8Array(Math.ceil(content.length / 512) * 512);
  body.set(content);
  const out = new Uint8Array(512 + body.length);
  out.set(header);
  out.set(body, 512);
  return out;
}

function tarGz(entries: Uint8Array[]): Uint8Array {
  const total = entries.reduce((n, e) => n + e.length, 0) + 1024;
  const out = new Uint8Array(total);
  let at = 0;
  for (const e of entries) {
    out.set(e, at);
    at += e.length;
  }
  return gzipSync(out);
}

const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex");

/** A small archive laid out as the official one, with its checksums. */
function buildArchive() {
  const rng = new Rng("archive");
  const members: Record<string, Uint8Array> = {};
  for (const name of ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"]) {
    const images = Uint8Array.from({ length: 10 * IMAGE_BYTES }, () => rng.int(256));
    members[`${name}.bin`] = writeCifar10(
      images,
      Array.from({ length: 10 }, (_, i) => i),
    );
  }
  const entries = [tarEntry("cifar-10-batches-bin/", new Uint8Array(0), "5")];
  for (const [name, bytes] of Object.entries(members)) entries.push(tarEntry(`cifar-10-batches-bin/${name}`, bytes));
  entries.push(
    tarEntry(
      "cifar-10-batches-bin/batches.meta.txt",
      new TextEncoder().encode("airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n"),
    ),
  );
  const archive = tarGz(entries);
  return {
    archive,
    archiveMd5: md5(archive),
    memberMd5s: Object.fromEntries(Object.entries(members).map(([n, b]) => [n, md5(b)])),
  };
}

const useShared = available(CIFAR10_ARCHIVE, "the download test of the real archive (a built archive is used instead)");
const real = useShared
  ? {
      archive: null as Uint8Array | null,
      archiveMd5: "034d364b4e475448969f9a8497842597", // the re-packed archive (see shared/datasets/README.md)
      memberMd5s: undefined as Record<string, string> | undefined,
    }
  : buildArchive();

let server: Server;
let base = "";
const routes = new Map<string, (response: import("node:http").ServerResponse) => void>();
const cache = mkdtempSync(join(tmpdir(), "slope-cache-"));

beforeAll(async () => {
  server = createServer((request, response) => {
    const route = routes.get(request.url ?? "");
    if (route) route(response);
    else {
      response.statusCode = 404;
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  routes.set("/cifar-10-binary.tar.gz", (response) => {
    const body = real.archive ?? readFileSync(CIFAR10_ARCHIVE);
    response.setHeader("content-length", body.length);
    response.end(body);
  });
  routes.set("/cut.tar.gz", (response) => {
    response.setHeader("content-length", 1_000_000);
    response.write(new Uint8Array(300_000));
    setTimeout(() => response.destroy(), 20);
  });
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(cache, { recursive: true, force: true });
});

/** The cache holds nothing but finished data sets (no temporary download folder). */
function leftovers(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith(".download-")) : [];
}

describe("downloadCifar10 against a local server on 127.0.0.1", () => {
  it("a good download lands whole in the cache, checked, and is not fetched again", async () => {
    const progress: number[] = [];
    const dir = await downloadCifar10({
      cacheDir: cache,
      url: `${base}/cifar-10-binary.tar.gz`,
      archiveMd5: real.archiveMd5,
      memberMd5s: real.memberMd5s,
      onProgress: (p) => progress.push(p.received),
    });
    expect(dir).toBe(join(cache, "cifar-10-batches-bin"));
    expect(cachedCifar10(cache)).toBe(dir);
    expect(progress.length).toBeGreaterThan(0);
    expect(leftovers(cache)).toEqual([]);
    const mtime = statSync(join(dir, "test_batch.bin")).mtimeMs;
    const again = await downloadCifar10({ cacheDir: cache, url: `${base}/nothing-here` });
    expect(again).toBe(dir);
    expect(statSync(join(dir, "test_batch.bin")).mtimeMs).toBe(mtime);
  }, 120_000);

  it.skipIf(!useShared)(
    "the full CIFAR-10 loads: 50,000 training images, 5,000 per class, channel means ≈ (125.3, 123.0, 113.9)",
    () => {
      const train = loadCifar10(join(cache, "cifar-10-batches-bin"), { split: "train" });
      expect(train.count).toBe(50_000);
      expect(train.labelNames).toEqual([
        "airplane",
        "automobile",
        "bird",
        "cat",
        "deer",
        "dog",
        "frog",
        "horse",
        "ship",
        "truck",
      ]);
      const perClass = new Array(10).fill(0);
      for (const l of train.labels) perClass[l]++;
      expect(perClass).toEqual(new Array(10).fill(5000));
      const { mean } = channelStatistics(train.images, train.count);
      expect(mean[0]).toBeCloseTo(125.3, 1);
      expect(mean[1]).toBeCloseTo(123.0, 1);
      expect(mean[2]).toBeCloseTo(113.9, 1);
      expect(loadCifar10(join(cache, "cifar-10-batches-bin"), { split: "test" }).count).toBe(10_000);
    },
    60_000,
  );

  it("a wrong checksum leaves nothing in the cache", async () => {
    const other = mkdtempSync(join(tmpdir(), "slope-cache-md5-"));
    await expect(
      downloadCifar10({ cacheDir: other, url: `${base}/cifar-10-binary.tar.gz`, archiveMd5: "0".repeat(32) }),
    ).rejects.toThrow(DownloadError);
    await expect(
      downloadCifar10({ cacheDir: other, url: `${base}/cifar-10-binary.tar.gz`, archiveMd5: "0".repeat(32) }),
    ).rejects.toThrow(/has MD5 [0-9a-f]{32}, expected 0{32}/);
    expect(readdirSync(other)).toEqual([]);
    rmSync(other, { recursive: true });
  }, 60_000);

  it("a connection cut halfway is an error, leaves nothing, and can simply be retried", async () => {
    const other = mkdtempSync(join(tmpdir(), "slope-cache-cut-"));
    await expect(downloadCifar10({ cacheDir: other, url: `${base}/cut.tar.gz` })).rejects.toThrow(
      /cut after \d+ (of 1000000 )?bytes/,
    );
    expect(readdirSync(other)).toEqual([]);
    const built = buildArchive();
    routes.set("/retry.tar.gz", (response) => response.end(built.archive));
    const dir = await downloadCifar10({
      cacheDir: other,
      url: `${base}/retry.tar.gz`,
      archiveMd5: built.archiveMd5,
      memberMd5s: built.memberMd5s,
    });
    expect(loadCifar10(dir, { split: "test" }).count).toBe(10);
    rmSync(other, { recursive: true });
  }, 60_000);

  it.each([
    [
      "a path that climbs out (../)",
      tarEntry("../evil.txt", new TextEncoder().encode("x")),
      /refusing the archive: \.\.\/evil\.txt \(outside the target folder\)/,
    ],
    [
      "an absolute path",
      tarEntry("/tmp/evil.txt", new TextEncoder().encode("x")),
      /refusing the archive: \/tmp\/evil\.txt \(outside the target folder\)/,
    ],
    [
      "a symbolic link",
      tarEntry("cifar-10-batches-bin/link", new Uint8Array(0), "2", "/etc/passwd"),
      /refusing the archive: cifar-10-batches-bin\/link \(a SymbolicLink entry\)/,
    ],
  ])("an archive with %s is refused and nothing is written", async (_, entry, message) => {
    const other = mkdtempSync(join(tmpdir(), "slope-cache-evil-"));
    const archive = tarGz([tarEntry("cifar-10-batches-bin/", new Uint8Array(0), "5"), entry]);
    routes.set("/evil.tar.gz", (response) => response.end(archive));
    const attempt = downloadCifar10({ cacheDir: other, url: `${base}/evil.tar.gz`, archiveMd5: md5(archive) });
    await expect(attempt).rejects.toThrow(DataFormatError);
    await expect(
      downloadCifar10({ cacheDir: other, url: `${base}/evil.tar.gz`, archiveMd5: md5(archive) }),
    ).rejects.toThrow(message);
    expect(readdirSync(other)).toEqual([]);
    expect(existsSync(join(tmpdir(), "evil.txt"))).toBe(false);
    rmSync(other, { recursive: true });
  });
});

describe("downloads never hang, never lose data, refuse what the data set does not have", () => {
  const fresh = (name: string) => mkdtempSync(join(tmpdir(), `slope-cache-${name}-`));
  const stalled: import("node:http").ServerResponse[] = [];
  beforeAll(() => {
    routes.set("/stall-before-headers", (response) => {
      stalled.push(response);
    });
    routes.set("/stall-after-headers", (response) => {
      stalled.push(response);
      response.writeHead(200, { "content-length": 1_000_000 });
      response.flushHeaders();
    });
    routes.set("/stall-mid-body", (response) => {
      stalled.push(response);
      response.writeHead(200, { "content-length": 1_000_000 });
      response.write(new Uint8Array(100_000));
    });
  });
  afterAll(() => {
    for (const r of stalled) r.destroy();
  });

  it.each(["before-headers", "after-headers", "mid-body"])(
    "a server that stalls %s ends in a DownloadError after timeoutMs and leaves nothing in the cache",
    async (when) => {
      const other = fresh("stall");
      const t0 = performance.now();
      await expect(downloadCifar10({ cacheDir: other, url: `${base}/stall-${when}`, timeoutMs: 300 })).rejects.toThrow(
        /no data for 300 ms \(timeoutMs\); gave up/,
      );
      expect(performance.now() - t0).toBeLessThan(5000);
      expect(readdirSync(other)).toEqual([]);
      rmSync(other, { recursive: true });
    },
  );

  it("an AbortSignal ends a download (stalled, or aborted before it starts): a DownloadError, nothing left", async () => {
    const other = fresh("abort");
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await expect(
      downloadCifar10({ cacheDir: other, url: `${base}/stall-mid-body`, signal: controller.signal }),
    ).rejects.toThrow(DownloadError);
    const signal = AbortSignal.abort();
    await expect(downloadCifar100({ cacheDir: other, url: `${base}/stall-before-headers`, signal })).rejects.toThrow(
      /aborted/,
    );
    expect(readdirSync(other)).toEqual([]);
    rmSync(other, { recursive: true });
  });

  it("the temporary folder of a killed download is removed by the next run; folders it did not make stay", async () => {
    const other = fresh("stale");
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid!; // a process that has exited
    const killed = join(other, ".download-cifar-10-batches-bin-Killed");
    mkdirSync(killed);
    writeFileSync(join(killed, ".slope-download-owner"), `${hostname()} ${dead}\n`);
    writeFileSync(join(killed, "archive.tar.gz"), new Uint8Array(1000));
    const running = join(other, ".download-cifar-10-batches-bin-Running");
    mkdirSync(running);
    writeFileSync(join(running, ".slope-download-owner"), `${hostname()} ${process.pid}\n`);
    const foreign = join(other, ".download-cifar-10-batches-bin-Mine");
    mkdirSync(foreign);
    const built = buildArchive();
    routes.set("/stale.tar.gz", (response) => response.end(built.archive));
    const { archiveMd5, memberMd5s } = built;
    await downloadCifar10({ cacheDir: other, url: `${base}/stale.tar.gz`, archiveMd5, memberMd5s });
    expect(existsSync(killed)).toBe(false);
    expect(existsSync(running)).toBe(true);
    expect(existsSync(foreign)).toBe(true);
    rmSync(other, { recursive: true });
  });

  it("a cache holding an unmarked cifar-10-batches-bin is refused, saying what to do; the folder is kept", async () => {
    const other = fresh("unmarked");
    mkdirSync(join(other, "cifar-10-batches-bin"));
    writeFileSync(join(other, "cifar-10-batches-bin", "my-notes.txt"), "mine");
    const built = buildArchive();
    routes.set("/unmarked.tar.gz", (response) => response.end(built.archive));
    const { archiveMd5, memberMd5s } = built;
    await expect(
      downloadCifar10({ cacheDir: other, url: `${base}/unmarked.tar.gz`, archiveMd5, memberMd5s }),
    ).rejects.toThrow(/already exists but was not made by a finished Slope download.*move or delete it yourself/);
    expect(readFileSync(join(other, "cifar-10-batches-bin", "my-notes.txt"), "utf8")).toBe("mine");
    expect(readdirSync(other)).toEqual(["cifar-10-batches-bin"]);
    rmSync(other, { recursive: true });
  });

  /** Serves `archive` and expects the download to be refused with `message`, leaving an empty cache. */
  async function refused(archive: Uint8Array, message: RegExp) {
    const other = fresh("refused");
    routes.set("/refused.tar.gz", (response) => response.end(archive));
    const url = `${base}/refused.tar.gz`;
    const attempt = downloadCifar10({ cacheDir: other, url, archiveMd5: md5(archive), timeoutMs: 5000 });
    await expect(attempt).rejects.toThrow(DataFormatError);
    await expect(
      downloadCifar10({ cacheDir: other, url: `${base}/refused.tar.gz`, archiveMd5: md5(archive) }),
    ).rejects.toThrow(message);
    expect(readdirSync(other)).toEqual([]);
    rmSync(other, { recursive: true });
  }

  it("a member larger than the data set's file (a header claiming 1 GiB) is refused before extraction", async () => {
    const entry = tarEntry("cifar-10-batches-bin/data_batch_1.bin", new Uint8Array(0));
    const header = entry.subarray(0, 512);
    header.set(
      Array.from(`${(2 ** 30).toString(8).padStart(11, "0")}\0`, (c) => c.charCodeAt(0)),
      124,
    );
    header.fill(32, 148, 156);
    const sum = header.reduce((s, b) => s + b, 0);
    header.set(
      Array.from(`${sum.toString(8).padStart(6, "0")}\0 `, (c) => c.charCodeAt(0)),
      148,
    );
    const body = new Uint8Array(512 + (1 << 20));
    body.set(header);
    await refused(gzipSync(body), /data_batch_1\.bin is 1073741824 bytes, more than the data set's 30730000/);
  });

  it("a member the data set does not have, or another top folder, is refused", async () => {
    const dir = tarEntry("cifar-10-batches-bin/", new Uint8Array(0), "5");
    const extra = tarEntry("cifar-10-batches-bin/extra.bin", new Uint8Array(10));
    await refused(tarGz([dir, extra]), /extra\.bin \(the data set has no such file/);
    const elsewhere = tarEntry("other/data_batch_1.bin", new Uint8Array(10));
    await refused(tarGz([elsewhere]), /other\/data_batch_1\.bin \(the data set has no such file/);
  });

  it("a corrupt gzip or bad tar with the caller's archiveMd5 is a DataFormatError, not a raw zlib/tar one", async () => {
    const good = tarGz([tarEntry("cifar-10-batches-bin/", new Uint8Array(0), "5")]);
    const corrupt = good.slice();
    corrupt.fill(0xff, 10, 40);
    await refused(corrupt, /refusing the archive: not a valid tar\.gz/);
    await refused(good.subarray(0, good.length - 20).slice(), /refusing the archive: not a valid tar\.gz/);
    const rng = new Rng("garbage");
    const garbage = Uint8Array.from({ length: 4096 }, () => rng.int(256));
    await refused(gzipSync(garbage), /refusing the archive: not a valid tar\.gz/);
  });

  it("unknown options and a bad timeoutMs are ValueErrors", async () => {
    await expect(downloadCifar10({ cacheDir: cache, timeout: 5 } as never)).rejects.toThrow(ValueError);
    await expect(downloadCifar10({ cacheDir: cache, timeoutMs: -1 })).rejects.toThrow(/timeoutMs must be a number > 0/);
  });
});

describe("defaultCacheDir", () => {
  it("follows the platform's convention and SLOPE_CACHE_DIR overrides it", () => {
    expect(defaultCacheDir({}, "linux", "/home/u")).toBe("/home/u/.cache/slope");
    expect(defaultCacheDir({ XDG_CACHE_HOME: "/xdg" }, "linux", "/home/u")).toBe("/xdg/slope");
    expect(defaultCacheDir({}, "darwin", "/Users/u")).toBe("/Users/u/Library/Caches/slope");
    expect(defaultCacheDir({ LOCALAPPDATA: "C:\\Users\\u\\AppData\\Local" }, "win32", "C:\\Users\\u")).toContain(
      "slope",
    );
    expect(defaultCacheDir({ SLOPE_CACHE_DIR: "/data/cache" }, "linux", "/home/u")).toBe("/data/cache");
  });
});
