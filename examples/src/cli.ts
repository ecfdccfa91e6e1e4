#!/usr/bin/env node
// `lecture <experiment> [options]`: the optimization lecture, one experiment at a time, or all of them (`tour`).
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { disableThreads, enableThreads } from "@slope/core/node";
import { ValueError } from "@slope/core";
import { checkCommonOptions } from "./context.js";
import { batchModesExperiment, batchModesSettings } from "./experiments/batch-modes.js";
import { CNN_EPOCHS, CNN_OPTIMIZERS, cnnExperiment, cnnSettings } from "./experiments/cnn.js";
import { downloadExperiment, downloadSettings } from "./experiments/download.js";
import { gradientsExperiment, gradientsSettings } from "./experiments/gradients.js";
import { lrDecayExperiment, lrDecaySettings } from "./experiments/lr-decay.js";
import { optimizersExperiment, optimizersSettings } from "./experiments/optimizers.js";
import { randomSearchExperiment, randomSearchSettings } from "./experiments/random-search.js";
import { templatesExperiment, templatesSettings } from "./experiments/templates.js";
import { tourExperiment } from "./experiments/tour.js";
import { trainExperiment, trainSettings } from "./experiments/train.js";
import { twoLayerExperiment, twoLayerSettings } from "./experiments/two-layer.js";
import { CheckpointFormatError, CheckpointMismatchError } from "./training/checkpoint.js";
import { LOSSES, OPTIMIZERS, SCHEDULES } from "./training/choices.js";

type Kind = "string" | "number" | "boolean";
/** A command-line option: its kind, the value's name in the help (none for a flag), and what it does. */
interface OptionSpec {
  kind: Kind;
  value?: string;
  help: string;
}

const number = (value: string, help: string): OptionSpec => ({ kind: "number", value, help });
const text = (value: string, help: string): OptionSpec => ({ kind: "string", value, help });
const flag = (help: string): OptionSpec => ({ kind: "boolean", help });

const COMMON = {
  data: text(
    "DIR",
    "a cifar-10-batches-bin folder (or one holding it); else $SLOPE_CIFAR_DIR, " +
      "else the download cache, else a synthetic CIFAR-shaped set",
  ),
  out: text("DIR", "where results.json and the pictures go (default out/<experiment>)"),
  seed: number("N", "the seed of every random thing (a whole number; default 0)"),
  quick: flag("the tour's short version: fewer steps and epochs"),
  quiet: flag("print nothing"),
  threads: number("N", "threads for the large matrix products (default the machine's cores, at most 4)"),
} satisfies Record<string, OptionSpec>;

/**
 * Threads for the large matrix products when --threads is not given: the machine's cores, at most
 * four. Products too small to pay for a split stay on one thread, and the bits are the same either way.
 */
export const DEFAULT_THREADS = Math.min(availableParallelism(), 4);

/** The most threads the matrix products can be split between (enableThreads' limit). */
const MAX_THREADS = 16;

/** An experiment on the command line: what it does, its options, their check (before any data loads), its run. */
interface Experiment {
  about: string;
  options: Record<string, OptionSpec>;
  check: (o: Record<string, unknown>) => unknown;
  run: (o: Record<string, unknown>) => Promise<unknown>;
}

const losses = LOSSES.join("|"),
  optimizers = OPTIMIZERS.join("|"),
  schedules = SCHEDULES.join("|");

/** Each experiment: what it does, its own options, how to check them and how to run it from parsed options. */
const EXPERIMENTS: Record<string, Experiment> = {
  "random-search": {
    about: "strategy #1: keep the best of 1,000 random W",
    options: {
      attempts: number("N", "random W to try (1000; --quick 100)"),
      scale: number("S", "W = S·randn (1e-4)"),
    },
    check: (o) => randomSearchSettings(o),
    run: (o) => randomSearchExperiment(o),
  },
  gradients: {
    about: "numerical against analytic gradients; the gradient check",
    options: {
      batch: number("N", "examples the gradients are taken on (100; --quick 20)"),
      coordinates: number("N", "coordinates of W the numerical gradient is timed on (300; --quick 40)"),
    },
    check: (o) => gradientsSettings(o),
    run: (o) => gradientsExperiment(o),
  },
  train: {
    about: "a linear classifier (SVM or softmax) with any optimizer and schedule",
    options: {
      loss: text("NAME", `the loss: ${losses} (svm)`),
      optimizer: text("NAME", `the optimizer: ${optimizers} (sgd)`),
      schedule: text("NAME", `the lr schedule, stepped per epoch: ${schedules} (step)`),
      lr: number("LR", "the learning rate, > 0 (svm 3e-7, softmax 1e-6)"),
      reg: number("R", "L2 strength, ≥ 0: loss = data + R·ΣW² (svm 5e3, softmax 1e3)"),
      "batch-size": number("N", "rows per step (256)"),
      epochs: number("N", "epochs (10; --quick 2)"),
      sweep: flag("try a small lr × reg grid on the validation split first, then train the best"),
      checkpoint: text("DIR", "save the whole training state into DIR/checkpoint.json after every epoch"),
      resume: flag("continue from --checkpoint's state, to the same bits, and keep saving there (needs --checkpoint)"),
    },
    check: (o) => trainSettings(o),
    run: (o) => trainExperiment(o),
  },
  "batch-modes": {
    about: "batch against stochastic against mini-batch gradient descent",
    options: {
      rows: number("N", "training rows used (5000; --quick 1000)"),
      seconds: number("S", "training time per method (6; --quick 1.5)"),
      lr: number("LR", "the learning rate (1e-6)"),
      "mini-batch": number("N", "rows of a mini-batch (256)"),
    },
    check: (o) => batchModesSettings(o),
    run: (o) => batchModesExperiment(o),
  },
  "lr-decay": {
    about: "the four learning rates; constant, step, exponential and 1/t decay",
    options: {
      lr: number("LR", "the good rate (default: the best of a one-epoch search)"),
      epochs: number("N", "epochs (6; --quick 2)"),
      rows: number("N", "training rows used (10000; --quick 2000)"),
    },
    check: (o) => lrDecaySettings(o),
    run: (o) => lrDecayExperiment(o),
  },
  optimizers: {
    about: "SGD, momentum, Nesterov, AdaGrad, RMSProp, Adam; Newton and L-BFGS",
    options: {
      epochs: number("N", "epochs on CIFAR (5; --quick 2)"),
      rows: number("N", "training rows (10000; --quick 2000)"),
    },
    check: (o) => optimizersSettings(o),
    run: (o) => optimizersExperiment(o),
  },
  "two-layer": {
    about: "a two-layer net built from the public API",
    options: {
      hidden: number("N", "hidden units (200)"),
      lr: number("LR", "Adam's learning rate (1e-3)"),
      reg: number("R", "L2 strength on the weights, ≥ 0 (2e-3)"),
      epochs: number("N", "epochs (12; --quick 1)"),
      "batch-size": number("N", "rows per step (256)"),
    },
    check: (o) => twoLayerSettings(o),
    run: (o) => twoLayerExperiment(o),
  },
  cnn: {
    about: "a convnet on CIFAR-10 from @slope/nn (conv-bn-relu ×3, augmentation, one-cycle lr)",
    options: {
      epochs: number("N", `epochs (${CNN_EPOCHS}; --quick 1)`),
      "batch-size": number("N", "images per step (128)"),
      lr: number("LR", "the one-cycle peak lr (adamw 3e-3, nesterov 0.01)"),
      "weight-decay": number("W", "weight decay of the conv and linear weights (adamw 5e-2, nesterov 5e-4)"),
      widths: text("a,b,c", "channels of the three stages (32,64,128; --quick 8,16,32)"),
      optimizer: text("NAME", `the optimizer: ${CNN_OPTIMIZERS.join("|")} (adamw)`),
      rows: number("N", "training images used (all; --quick 512)"),
      checkpoint: text("FILE", "save the model and the training state into FILE after every epoch"),
      resume: text("FILE", "continue from FILE, to the same bits, and keep saving there (or into --checkpoint)"),
    },
    check: (o) => cnnSettings(o),
    run: (o) => cnnExperiment(o),
  },
  templates: {
    about: "the learned rows of W as 32×32 images",
    options: { loss: text("NAME", `the loss: ${losses} (softmax)`), epochs: number("N", "epochs (8; --quick 2)") },
    check: (o) => templatesSettings(o),
    run: (o) => templatesExperiment(o),
  },
  tour: {
    about: "a short version of every experiment in turn (the main job)",
    options: {},
    check: (o) => checkCommonOptions(o),
    run: (o) => tourExperiment(o),
  },
  download: {
    about: "fetch CIFAR-10 into the download cache",
    options: {
      "cache-dir": text("DIR", "the download cache (default $SLOPE_CACHE_DIR, else the user's cache folder)"),
      url: text("URL", "an http(s) address to fetch the archive from (default the CIFAR-10 site)"),
      timeout: number("S", "seconds without a byte from the server before giving up (30)"),
    },
    check: (o) => downloadSettings(o),
    run: (o) => downloadExperiment(o),
  },
};

/** A usage problem (a mistake in the command): exits with status 2 and the relevant part of the help. */
export class UsageError extends ValueError {}

/** Exit status of a usage error: every mistake in the command, whatever kind. */
export const USAGE_EXIT = 2;

function usage(): string {
  const width = Math.max(...Object.keys(EXPERIMENTS).map((k) => k.length));
  return [
    "usage: pnpm lecture <experiment> [options]     pnpm lecture <experiment> --help: that experiment's options",
    "",
    "experiments:",
    ...Object.entries(EXPERIMENTS).map(
      ([name, e]) =>
        `  ${name.padEnd(width)}  ${e.about}${
          Object.keys(e.options).length
            ? `  [${Object.keys(e.options)
                .map((o) => `--${o}`)
                .join(" ")}]`
            : ""
        }`,
    ),
    "",
    `common options: --data DIR (a cifar-10-batches-bin folder)  --out DIR  --seed N  --quick  --quiet  --threads N (default ${DEFAULT_THREADS})`,
    `  --loss ${LOSSES.join("|")}  --optimizer ${OPTIMIZERS.join("|")}  --schedule ${SCHEDULES.join("|")}`,
    `  cnn: --epochs N (default ${CNN_EPOCHS})  --batch-size N (128)  --optimizer ${CNN_OPTIMIZERS.join("|")}` +
      "  --widths a,b,c (32,64,128)  --rows N (training images)",
    "       --checkpoint FILE (saved after every epoch)  --resume FILE (continues it, to the same bits)",
    "  train: --checkpoint DIR (saved after every epoch)  --resume (continues it and keeps saving there; needs --checkpoint)",
    "data: --data, else $SLOPE_CIFAR_DIR, else the download cache (`pnpm lecture download`), else a synthetic CIFAR-shaped set",
    `exit status: 0 done, ${USAGE_EXIT} a mistake in the command (an unknown option, a bad value, a checkpoint of ` +
      "another run), 1 a failure while running",
  ].join("\n");
}

/** The options an experiment takes: the common ones (download takes only --quiet) and its own. */
function optionsOf(name: string): Record<string, OptionSpec> {
  const experiment = experimentNamed(name);
  return { ...(name === "download" ? { quiet: COMMON.quiet } : COMMON), ...experiment.options };
}

/** The experiment of that name (its own: "constructor" is not one), or a UsageError listing them. */
function experimentNamed(name: string): Experiment {
  const experiment = Object.hasOwn(EXPERIMENTS, name) ? EXPERIMENTS[name] : undefined;
  if (experiment === undefined) {
    throw new UsageError(`unknown experiment "${name}"; valid experiments: ${Object.keys(EXPERIMENTS).join(", ")}`);
  }
  return experiment;
}

/** One experiment's help: what it does and every option it takes, with its value and default. */
export function experimentHelp(name: string): string {
  const experiment = experimentNamed(name);
  const options = optionsOf(name);
  const left = (key: string, spec: OptionSpec) => `--${key}${spec.value ? ` ${spec.value}` : ""}`;
  const width = Math.max(...Object.entries(options).map(([k, spec]) => left(k, spec).length));
  const own = Object.keys(experiment.options);
  const line = ([key, spec]: [string, OptionSpec]) => `  ${left(key, spec).padEnd(width)}  ${spec.help}`;
  return [
    `usage: pnpm lecture ${name} [options]`,
    "",
    `${name}: ${experiment.about}`,
    ...(own.length > 0 ? ["", "options:", ...Object.entries(experiment.options).map(line)] : []),
    "",
    "common options:",
    ...Object.entries(options)
      .filter(([k]) => !own.includes(k))
      .map(line),
  ].join("\n");
}

const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** A token that is a negative number (-7, -1e-3, -.5, -Infinity): a value, never an option. */
const NEGATIVE_NUMBER = /^-(\d|\.\d|Infinity$)/;

/**
 * Joins `--name -7` into `--name=-7` for the options that take a value, so that a negative number
 * is read as the value it is (parseArgs calls it "ambiguous") and then checked like any other.
 */
function joinNegativeValues(args: string[], kinds: Record<string, OptionSpec>): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!,
      next = args[i + 1];
    const key = arg.startsWith("--") && !arg.includes("=") ? arg.slice(2) : null;
    if (
      key !== null &&
      kinds[key] !== undefined &&
      kinds[key].kind !== "boolean" &&
      next !== undefined &&
      NEGATIVE_NUMBER.test(next)
    ) {
      joined.push(`${arg}=${next}`);
      i++;
    } else {
      joined.push(arg);
    }
  }
  return joined;
}

/** parseArgs' description of the options: a flag is a boolean, everything else a string (numbers are read after). */
function parseArgsOptions(kinds: Record<string, OptionSpec>): Record<string, { type: "string" | "boolean" }> {
  const type = (spec: OptionSpec) => (spec.kind === "boolean" ? "boolean" : "string");
  return Object.fromEntries(Object.entries(kinds).map(([key, spec]) => [key, { type: type(spec) }]));
}

/** A parsed command line: an experiment and its options, or a request for help (the whole or one experiment's). */
export type Command = { name: string; options: Record<string, unknown> } | { help: string };

/** Parses argv into the experiment's name and its options, refusing what it does not take (UsageError). */
export function parseCommandLine(argv: string[]): Command {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h") return { help: usage() };
  if (name === "help") return { help: rest[0] === undefined ? usage() : experimentHelp(rest[0]) };
  experimentNamed(name);
  if (rest.includes("--help") || rest.includes("-h")) return { help: experimentHelp(name) };
  const kinds = optionsOf(name);
  let parsed: { values: Record<string, string | boolean | undefined> };
  try {
    parsed = parseArgs({
      args: joinNegativeValues(rest, kinds),
      strict: true,
      allowPositionals: false,
      options: parseArgsOptions(kinds),
    });
  } catch (error) {
    const takes = Object.keys(kinds)
      .map((k) => `--${k}`)
      .join(" ");
    throw new UsageError(`${(error as Error).message.split("\n")[0]}\n"${name}" takes: ${takes}`);
  }
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed.values)) {
    if (kinds[key]!.kind === "number") {
      const number = Number(value);
      if (typeof value !== "string" || value.trim() === "" || !Number.isFinite(number)) {
        throw new UsageError(`--${key} must be a number, got "${String(value)}"`);
      }
      options[camel(key)] = number;
    } else {
      options[camel(key)] = value;
    }
  }
  return { name, options };
}

/**
 * Checks a command's options completely before anything loads or runs: --threads, then the
 * experiment's own check (the same one the experiment runs first). Any problem is a UsageError.
 */
export function checkCommand(name: string, options: Record<string, unknown>): void {
  const { threads, ...rest } = options;
  try {
    const count = threads as number;
    if (threads !== undefined && (!Number.isInteger(count) || count < 1 || count > MAX_THREADS)) {
      throw new UsageError(`--threads must be a whole number from 1 to ${MAX_THREADS}, got ${String(threads)}`);
    }
    experimentNamed(name).check(rest);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const usageError = new UsageError((error as Error).message);
    usageError.cause = error;
    throw usageError;
  }
}

/** Whether an error thrown while running is still a mistake in the command (a --resume of another run, or damaged). */
const isUsageError = (error: unknown) =>
  error instanceof UsageError || error instanceof CheckpointMismatchError || error instanceof CheckpointFormatError;

/**
 * Runs a command line (argv without `node cli.js`) to its end and returns the exit status: 0 done
 * (or help printed), 2 a usage error (found before anything loads, or a checkpoint of another run),
 * 1 a failure while running.
 */
export async function runCommandLine(argv: string[]): Promise<number> {
  let command: Command;
  try {
    command = parseCommandLine(argv);
    if ("help" in command) {
      console.log(command.help);
      return 0;
    }
    checkCommand(command.name, command.options);
  } catch (error) {
    const known = argv[0] !== undefined && Object.hasOwn(EXPERIMENTS, argv[0]) ? argv[0] : null;
    const help = known ? `run \`pnpm lecture ${known} --help\` for its options` : usage();
    console.error(`lecture${known ? ` ${known}` : ""}: ${(error as Error).message}\n\n${help}`);
    return USAGE_EXIT;
  }
  const { threads = DEFAULT_THREADS, ...options } = command.options as { threads?: number };
  try {
    if (threads > 1 && command.name !== "download") await enableThreads({ threads }); // a download computes nothing
    await experimentNamed(command.name).run(options);
    return 0;
  } catch (error) {
    console.error(`lecture ${command.name}: ${(error as Error).message}`);
    return isUsageError(error) ? USAGE_EXIT : 1;
  } finally {
    disableThreads();
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("/cli.js")) {
  runCommandLine(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
