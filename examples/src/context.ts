import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { ValueError } from "@slope/core";
import { type LectureData, checkCifarDir, findCifarDir, loadLectureData } from "./data-source.js";
import { checkOutputFolder } from "./output/files.js";
import { type Progress, startProgress } from "./output/progress.js";

/** Options every experiment takes. */
export interface CommonOptions {
  /** A cifar-10-batches-bin folder; else $SLOPE_CIFAR_DIR, else the download cache, else synthetic data. */
  data?: string;
  /** Where results.json and the pictures go (out/<experiment> by default); not "", not a file. */
  out?: string;
  seed?: number;
  /** The tour's short version: fewer steps and epochs. */
  quick?: boolean;
  /** Print nothing (tests). */
  quiet?: boolean;
  /** Data already loaded (the tour loads it once for every experiment). */
  preloaded?: LectureData;
}

/** What an experiment runs with: its data, output folder, seed and a way to talk. */
export interface ExperimentContext {
  experiment: string;
  out: string;
  seed: number;
  quick: boolean;
  data: LectureData;
  log(message: string): void;
  progress(total: number, label: string): Progress;
}

/**
 * Checks the options every experiment takes, before any data loads: --data names an existing
 * folder (not "") that holds CIFAR-10's batches, --out a folder that can be written or made (not
 * "", not a file), the seed is a whole number, quick and quiet are booleans. A ValueError says
 * what was expected and what came.
 */
export function checkCommonOptions(options: CommonOptions): void {
  if (typeof options !== "object" || options === null) {
    throw new ValueError(`options must be an object, got ${String(options)}`);
  }
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) {
    throw new ValueError(`seed must be a whole number (of at most 2^53 − 1 in size), got ${options.seed}`);
  }
  for (const flag of ["quick", "quiet"] as const) {
    if (options[flag] !== undefined && typeof options[flag] !== "boolean") {
      throw new ValueError(`${flag} must be true or false, got ${String(options[flag])}`);
    }
  }
  if (options.out !== undefined) checkOutputFolder("out", options.out);
  if (options.preloaded !== undefined) return; // the data is already here
  if (options.data !== undefined && (typeof options.data !== "string" || options.data.trim() === "")) {
    throw new ValueError(
      "data must be a folder (cifar-10-batches-bin, or one holding it), " + `got ${JSON.stringify(options.data)}`,
    );
  }
  const found = findCifarDir(options.data);
  if (found && !existsSync(found.dir)) {
    throw new ValueError(
      `no folder ${found.dir} (from ${found.origin}); ` +
        "pass --data <cifar-10-batches-bin folder>, or run `pnpm lecture download`",
    );
  }
  if (found && !statSync(found.dir).isDirectory()) {
    throw new ValueError(
      `data must be a folder (cifar-10-batches-bin, or one holding it), but ${found.dir} ` +
        `(from ${found.origin}) is a file`,
    );
  }
  if (found) checkCifarDir(found.dir, found.origin);
}

/**
 * Resolves the options into a context: checks them (before anything loads) and loads the data
 * (saying which). The output folder is made only when the results are written, so a run refused
 * or failed on the way leaves nothing behind.
 */
export function createContext(experiment: string, options: CommonOptions): ExperimentContext {
  checkCommonOptions(options);
  const seed = options.seed ?? 0;
  const quiet = options.quiet ?? false;
  const log = (message: string) => {
    if (!quiet) console.log(message);
  };
  const data = options.preloaded ?? loadLectureData({ data: options.data, seed });
  const out = resolve(options.out ?? `out/${experiment}`); // made when the results are written (checked writable above)
  return {
    experiment,
    out,
    seed,
    quick: options.quick ?? false,
    data,
    log,
    progress: (total, label) => startProgress(total, label, quiet),
  };
}
