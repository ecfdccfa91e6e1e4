export { type CifarSplit, loadCifar10, loadCifar100 } from "./load.js";
export { type DownloadOptions, type DownloadProgress, DownloadError, downloadCifar10, downloadCifar100, cachedCifar10 } from "./download.js";
export { defaultCacheDir } from "./cache-dir.js";
