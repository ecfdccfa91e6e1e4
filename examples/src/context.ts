import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { type LectureData, loadLectureData } from "./data-source.js";
import { type Progress, startProgress } from "./output/progress.js";

/** Options every experiment takes. */
export interface CommonOptions {
  /** A cifar-10-batches-bin folder; else $SLOPE_CIFAR_DIR, else the download cache, else synthetic data. */
  data?: string;
  /** Where results.json and the pictures go (out/<experiment> by default). */
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

/** Resolves the options into a context: loads the data (saying which) and makes the output folder. */
export function createContext(experiment: string, options: CommonOptions): ExperimentContext {
  const seed = options.seed ?? 0;
  const quiet = options.quiet ?? false;
  const log = (message: string) => { if (!quiet) console.log(message); };
  const data = options.preloaded ?? loadLectureData({ data: options.data, seed });
  const out = resolve(options.out ?? `out/${experiment}`);
  mkdirSync(out, { recursive: true });
  return { experiment, out, seed, quick: options.quick ?? false, data, log, progress: (total, label) => startProgress(total, label, quiet) };
}
