import { defaultCacheDir, downloadCifar10 } from "@slope/data/node";
import { startProgress } from "../output/progress.js";

/** Fills the download cache with CIFAR-10 (binary version), checked; prints the folder. */
export async function downloadExperiment(options: { cacheDir?: string; url?: string; quiet?: boolean } = {}) {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const log = (m: string) => { if (!options.quiet) console.log(m); };
  log(`download: CIFAR-10 into ${cacheDir} (170 MB, checked by MD5)`);
  let progress: ReturnType<typeof startProgress> | null = null;
  let last = 0;
  const dir = await downloadCifar10({
    cacheDir, url: options.url,
    onProgress: ({ received, total }) => {
      if (!progress && total) progress = startProgress(Math.round(total / 1e6), "download (MB)", options.quiet);
      const mb = Math.floor(received / 1e6);
      if (progress && mb > last) { progress.tick(mb - last); last = mb; }
    },
  });
  (progress as ReturnType<typeof startProgress> | null)?.stop();
  log(`CIFAR-10 is in ${dir}`);
  return { experiment: "download", dir };
}
