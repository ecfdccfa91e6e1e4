#!/usr/bin/env node
// `lecture <experiment> [options]`: the optimization lecture, one experiment at a time, or all of them (`tour`).
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { disableThreads, enableThreads } from "@slope/core/node";
import { batchModesExperiment } from "./experiments/batch-modes.js";
import { CNN_EPOCHS, CNN_OPTIMIZERS, cnnExperiment } from "./experiments/cnn.js";
import { downloadExperiment } from "./experiments/download.js";
import { gradientsExperiment } from "./experiments/gradients.js";
import { lrDecayExperiment } from "./experiments/lr-decay.js";
import { optimizersExperiment } from "./experiments/optimizers.js";
import { randomSearchExperiment } from "./experiments/random-search.js";
import { templatesExperiment } from "./experiments/templates.js";
import { tourExperiment } from "./experiments/tour.js";
import { trainExperiment } from "./experiments/train.js";
import { twoLayerExperiment } from "./experiments/two-layer.js";
import { LOSSES, OPTIMIZERS, SCHEDULES } from "./training/choices.js";

type Kind = "string" | "number" | "boolean";
const COMMON: Record<string, Kind> = { data: "string", out: "string", seed: "number", quick: "boolean", quiet: "boolean", threads: "number" };

/**
 * Threads for the large matrix products when --threads is not given: the machine's cores, at most
 * four. Products too small to pay for a split stay on one thread, and the bits are the same either way.
 */
export const DEFAULT_THREADS = Math.min(availableParallelism(), 4);

/** Each experiment: what it does, its own options, and how to run it from parsed options. */
const EXPERIMENTS: Record<string, { about: string; options: Record<string, Kind>; run: (o: Record<string, unknown>) => Promise<unknown> }> = {
  "random-search": { about: "strategy #1: keep the best of 1,000 random W", options: { attempts: "number", scale: "number" }, run: (o) => randomSearchExperiment(o) },
  gradients: { about: "numerical against analytic gradients; the gradient check", options: { batch: "number", coordinates: "number" }, run: (o) => gradientsExperiment(o) },
  train: {
    about: "a linear classifier (SVM or softmax) with any optimizer and schedule",
    options: { loss: "string", optimizer: "string", schedule: "string", lr: "number", reg: "number", "batch-size": "number", epochs: "number", sweep: "boolean", checkpoint: "string", resume: "boolean" },
    run: (o) => trainExperiment(o),
  },
  "batch-modes": { about: "batch against stochastic against mini-batch gradient descent", options: { rows: "number", seconds: "number", lr: "number", "mini-batch": "number" }, run: (o) => batchModesExperiment(o) },
  "lr-decay": { about: "the four learning rates; constant, step, exponential and 1/t decay", options: { lr: "number", epochs: "number", rows: "number" }, run: (o) => lrDecayExperiment(o) },
  optimizers: { about: "SGD, momentum, Nesterov, AdaGrad, RMSProp, Adam; Newton and L-BFGS", options: { epochs: "number", rows: "number" }, run: (o) => optimizersExperiment(o) },
  "two-layer": { about: "a two-layer net built from the public API", options: { hidden: "number", lr: "number", reg: "number", epochs: "number", "batch-size": "number" }, run: (o) => twoLayerExperiment(o) },
  cnn: {
    about: "a convnet on CIFAR-10 from @slope/nn (conv-bn-relu ×3, augmentation, one-cycle lr)",
    options: {
      epochs: "number", "batch-size": "number", lr: "number", "weight-decay": "number", widths: "string",
      optimizer: "string", rows: "number", checkpoint: "string", resume: "string",
    },
    run: (o) => cnnExperiment(o),
  },
  templates: { about: "the learned rows of W as 32×32 images", options: { loss: "string", epochs: "number" }, run: (o) => templatesExperiment(o) },
  tour: { about: "a short version of every experiment in turn (the main job)", options: {}, run: (o) => tourExperiment(o) },
  download: { about: "fetch CIFAR-10 into the download cache", options: { "cache-dir": "string", url: "string" }, run: (o) => downloadExperiment(o) },
};

/** A usage problem: exits with status 2 and the help text's relevant part. */
class UsageError extends Error {}

function usage(): string {
  const width = Math.max(...Object.keys(EXPERIMENTS).map((k) => k.length));
  return [
    "usage: pnpm lecture <experiment> [options]",
    "",
    "experiments:",
    ...Object.entries(EXPERIMENTS).map(([name, e]) => `  ${name.padEnd(width)}  ${e.about}${Object.keys(e.options).length ? `  [${Object.keys(e.options).map((o) => `--${o}`).join(" ")}]` : ""}`),
    "",
    `common options: --data DIR (a cifar-10-batches-bin folder)  --out DIR  --seed N  --quick  --quiet  --threads N (default ${DEFAULT_THREADS})`,
    `  --loss ${LOSSES.join("|")}  --optimizer ${OPTIMIZERS.join("|")}  --schedule ${SCHEDULES.join("|")}`,
    `  cnn: --epochs N (default ${CNN_EPOCHS})  --batch-size N (128)  --optimizer ${CNN_OPTIMIZERS.join("|")}` +
      "  --widths a,b,c (32,64,128)  --rows N (training images)",
    "       --checkpoint FILE (saved after every epoch)  --resume FILE (continues it, to the same bits)",
    "data: --data, else $SLOPE_CIFAR_DIR, else the download cache (`pnpm lecture download`), else a synthetic CIFAR-shaped set",
  ].join("\n");
}

const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Parses argv into the experiment's name and its options, refusing what it does not take. */
export function parseCommandLine(argv: string[]): { name: string; options: Record<string, unknown> } | null {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") return null;
  const experiment = EXPERIMENTS[name];
  if (!experiment) throw new UsageError(`unknown experiment "${name}"; valid experiments: ${Object.keys(EXPERIMENTS).join(", ")}`);
  const kinds = { ...(name === "download" ? { quiet: "boolean" as Kind } : COMMON), ...experiment.options };
  let parsed;
  try {
    parsed = parseArgs({
      args: rest, strict: true, allowPositionals: false,
      options: Object.fromEntries(Object.entries(kinds).map(([k, kind]) => [k, { type: kind === "boolean" ? "boolean" : "string" }])) as Record<string, { type: "string" | "boolean" }>,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split("\n")[0]}\n"${name}" takes: ${Object.keys(kinds).map((k) => `--${k}`).join(" ")}`);
  }
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed.values)) {
    if (kinds[key] === "number") {
      const number = Number(value);
      if (value === "" || !Number.isFinite(number)) throw new UsageError(`--${key} must be a number, got "${String(value)}"`);
      options[camel(key)] = number;
    } else {
      options[camel(key)] = value;
    }
  }
  return { name, options };
}

async function main(): Promise<number> {
  let command;
  try {
    command = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    console.error(`lecture: ${(error as Error).message}\n\n${usage()}`);
    return 2;
  }
  if (!command) {
    console.log(usage());
    return 0;
  }
  const { threads = DEFAULT_THREADS, ...options } = command.options as { threads?: number };
  try {
    if (!Number.isInteger(threads) || threads < 1) throw new UsageError(`--threads must be a whole number ≥ 1, got ${threads}`);
    if (threads > 1 && command.name !== "download") await enableThreads({ threads }); // a download computes nothing
    await EXPERIMENTS[command.name]!.run(options);
    return 0;
  } catch (error) {
    console.error(`lecture ${command.name}: ${(error as Error).message}`);
    return error instanceof UsageError ? 2 : 1;
  } finally {
    disableThreads();
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("/cli.js")) {
  main().then((code) => { process.exitCode = code; });
}
