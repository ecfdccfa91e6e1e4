import { ValueError } from "@slope/core";
import { defaultCacheDir, downloadCifar10 } from "@slope/data/node";
import { checkOutputFolder } from "../output/files.js";
import { startProgress } from "../output/progress.js";
import { positive } from "../training/choices.js";

/** Options of the download command. */
export interface DownloadOptions {
  /** The download cache (default: $SLOPE_CACHE_DIR, else the user's cache folder). */
  cacheDir?: string;
  /** Where the archive comes from (an http or https address; default: the CIFAR-10 site). */
  url?: string;
  /** Seconds without a byte from the server after which the download is given up (30). */
  timeout?: number;
  quiet?: boolean;
}

/**
 * download's options, checked before anything is fetched: a cache folder that can be written, an
 * http(s) address, a positive idle timeout in seconds.
 */
export function downloadSettings(options: DownloadOptions): { cacheDir: string; url?: string; timeoutMs: number } {
  const cacheDir = checkOutputFolder("cache-dir", options.cacheDir ?? defaultCacheDir());
  if (options.url !== undefined) {
    let protocol = "";
    try {
      protocol = new URL(options.url).protocol;
    } catch {
      // not an address at all: refused below
    }
    if (protocol !== "http:" && protocol !== "https:") {
      throw new ValueError(`url must be an http or https address, got ${JSON.stringify(options.url)}`);
    }
  }
  if (options.quiet !== undefined && typeof options.quiet !== "boolean") {
    throw new ValueError(`quiet must be true or false, got ${String(options.quiet)}`);
  }
  return { cacheDir, url: options.url, timeoutMs: 1000 * positive("timeout", options.timeout ?? 30) };
}

/**
 * Fills the download cache with CIFAR-10 (binary version), checked; prints the folder. A server
 * silent for `timeout` seconds, or Ctrl-C, ends it with a DownloadError and nothing in the cache.
 */
export async function downloadExperiment(options: DownloadOptions = {}) {
  const { cacheDir, url, timeoutMs } = downloadSettings(options);
  const interrupt = new AbortController();
  const onInterrupt = () => interrupt.abort();
  process.once("SIGINT", onInterrupt);
  const log = (m: string) => {
    if (!options.quiet) console.log(m);
  };
  log(`download: CIFAR-10 into ${cacheDir} (170 MB, checked by MD5)`);
  let progress: ReturnType<typeof startProgress> | null = null;
  let last = 0;
  const dir = await downloadCifar10({
    cacheDir,
    url,
    timeoutMs,
    signal: interrupt.signal,
    onProgress: ({ received, total }) => {
      if (!progress && total) progress = startProgress(Math.round(total / 1e6), "download (MB)", options.quiet);
      const mb = Math.floor(received / 1e6);
      if (progress && mb > last) {
        progress.tick(mb - last);
        last = mb;
      }
    },
  }).finally(() => {
    process.off("SIGINT", onInterrupt);
    (progress as ReturnType<typeof startProgress> | null)?.stop();
  });
  log(`CIFAR-10 is in ${dir}`);
  return { experiment: "download", dir };
}
