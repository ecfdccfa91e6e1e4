/**
 * The Node-only part of @slope/data: loading CIFAR-10/100 from a folder, downloading the archives
 * into a cache (checksummed, written atomically) and the cache folder's location.
 *
 * @module @slope/data/node
 */
export { type CifarSplit, loadCifar10, loadCifar100 } from "./load.js";
export {
  type DownloadOptions,
  type DownloadProgress,
  DownloadError,
  downloadCifar10,
  downloadCifar100,
  cachedCifar10,
} from "./download.js";
export { defaultCacheDir } from "./cache-dir.js";
