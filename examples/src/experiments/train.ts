import { ValueError } from "@slope/core";
import { type CommonOptions, checkCommonOptions, createContext } from "../context.js";
import { linearFeatures } from "../data-source.js";
import { checkOutputFile, checkOutputFolder } from "../output/files.js";
import { lineChart } from "../output/plots.js";
import { finish, percent } from "../output/results.js";
import {
  LOSSES,
  type LossName,
  OPTIMIZERS,
  type OptimizerName,
  SCHEDULES,
  type ScheduleName,
  count,
  nonNegative,
  oneOf,
  positive,
} from "../training/choices.js";
import { accuracy } from "../training/evaluate.js";
import { checkSameSettings, checkpointFile } from "../training/checkpoint.js";
import { type LinearConfig, readLinearCheckpoint, trainLinear } from "../training/linear.js";

/** Options of the train experiment. */
export interface TrainOptions extends CommonOptions {
  loss?: LossName;
  optimizer?: OptimizerName;
  schedule?: ScheduleName;
  lr?: number;
  reg?: number;
  batchSize?: number;
  epochs?: number;
  /** Try a small lr × reg grid on the validation split first, then train the best. */
  sweep?: boolean;
  /** Save the full training state here after every epoch (atomically). */
  checkpoint?: string;
  /** Continue from `checkpoint` to the same bits as an uninterrupted run, and keep saving there (needs `checkpoint`). */
  resume?: boolean;
  /** Stop after this many epochs (as if interrupted); for tests of resume. */
  stopAfterEpochs?: number;
}

/**
 * Defaults per loss, for mean-subtracted raw pixels (the course's preprocessing), chosen by
 * validation accuracy on CIFAR-10 (10 epochs, batch 256, SGD, step decay).
 */
export const TRAIN_DEFAULTS: Record<LossName, { lr: number; reg: number }> = {
  svm: { lr: 3e-7, reg: 5e3 },
  softmax: { lr: 1e-6, reg: 1e3 },
};

/** The config of a run from the options, checked, with each loss's defaults. */
export function linearConfig(options: TrainOptions, quick: boolean): LinearConfig {
  const loss = oneOf("loss", options.loss ?? "svm", LOSSES);
  return {
    loss,
    optimizer: oneOf("optimizer", options.optimizer ?? "sgd", OPTIMIZERS),
    schedule: oneOf("schedule", options.schedule ?? "step", SCHEDULES),
    lr: positive("lr", options.lr ?? TRAIN_DEFAULTS[loss].lr),
    reg: nonNegative("reg", options.reg ?? TRAIN_DEFAULTS[loss].reg),
    batchSize: count("batch size", options.batchSize ?? 256),
    epochs: count("epochs", options.epochs ?? (quick ? 2 : 10)),
    initScale: 1e-4,
  };
}

/**
 * The checked settings of a train run, before any data loads: the config (each loss's defaults),
 * and the checkpoint folder, which must be a folder the run can write; `resume` needs it to hold a
 * readable checkpoint (resuming means: continue from it, and keep saving there).
 */
export function trainSettings(options: TrainOptions): { config: LinearConfig; checkpoint: string | undefined } {
  checkCommonOptions(options);
  const config = linearConfig(options, options.quick ?? false);
  if (options.sweep !== undefined && typeof options.sweep !== "boolean") {
    throw new ValueError(`sweep must be true or false, got ${String(options.sweep)}`);
  }
  if (options.resume !== undefined && typeof options.resume !== "boolean") {
    throw new ValueError(`resume must be true or false (it resumes from --checkpoint), got ${String(options.resume)}`);
  }
  if (options.stopAfterEpochs !== undefined) count("stopAfterEpochs", options.stopAfterEpochs);
  if (options.resume && options.checkpoint === undefined) {
    throw new ValueError("resume needs --checkpoint DIR: the folder to resume from (and to keep saving into)");
  }
  if (options.checkpoint === undefined) return { config, checkpoint: undefined };
  const checkpoint = checkOutputFolder("checkpoint", options.checkpoint);
  checkOutputFile("checkpoint", checkpointFile(checkpoint));
  if (options.resume) {
    const saved = readLinearCheckpoint(checkpoint);
    if (saved === null) throw new ValueError(`no checkpoint ${checkpointFile(checkpoint)} to resume from`);
    // The settings now, before the data loads (after a sweep: once it has chosen them); the data set and
    // W's shape once the data has loaded.
    if (!options.sweep) checkSameSettings(checkpointFile(checkpoint), saved, { config, seed: options.seed ?? 0 });
  }
  return { config, checkpoint };
}

/**
 * A linear classifier (SVM or softmax) trained by mini-batch gradient descent with any optimizer
 * and schedule; train, validation and test accuracy; `sweep` picks lr and reg on the validation
 * split as the course does.
 */
export async function trainExperiment(options: TrainOptions = {}) {
  const started = performance.now();
  let { config } = trainSettings(options);
  const context = createContext("train", options);
  const f = linearFeatures(context.data);
  context.log(
    `train: ${config.loss} with ${config.optimizer}, ${config.schedule} schedule, lr ${config.lr}, reg ${config.reg}, batch ${config.batchSize}, ${config.epochs} epochs on ${context.data.description}`,
  );

  const sweep: Record<string, unknown>[] = [];
  if (options.sweep) {
    const factors = context.quick ? [0.5, 2] : [0.25, 1, 4];
    const sweepEpochs = Math.max(1, Math.ceil(config.epochs / 3));
    let bestVal = -1;
    let best = config;
    for (const lrFactor of factors) {
      for (const regFactor of factors) {
        const candidate = { ...config, lr: config.lr * lrFactor, reg: config.reg * regFactor, epochs: sweepEpochs };
        const run = trainLinear(f, candidate, { seed: context.seed });
        const val = accuracy(f.xVal, run.W, f.yVal);
        sweep.push({ lr: candidate.lr, reg: candidate.reg, epochs: sweepEpochs, valAccuracy: val });
        context.log(
          `sweep: lr ${candidate.lr.toExponential(2)} reg ${candidate.reg.toExponential(2)} → val ${percent(val)}`,
        );
        if (val > bestVal) {
          bestVal = val;
          best = { ...candidate, epochs: config.epochs };
        }
      }
    }
    config = best;
    context.log(
      `sweep: best lr ${config.lr.toExponential(2)}, reg ${config.reg.toExponential(2)} (val ${percent(bestVal)}); training it for ${config.epochs} epochs`,
    );
  }

  const stepsPerEpoch = Math.ceil(f.xTrain.shape[0]! / Math.min(config.batchSize, f.xTrain.shape[0]!));
  const progress = context.progress(stepsPerEpoch * config.epochs, "train");
  const run = trainLinear(f, config, {
    seed: context.seed,
    progress,
    checkpoint: options.checkpoint,
    resume: options.resume,
    stopAfterEpochs: options.stopAfterEpochs,
    dataDescription: context.data.description,
  });
  progress.stop();
  if (run.resumedFromEpoch !== null) context.log(`resumed from the checkpoint after epoch ${run.resumedFromEpoch}`);
  const trainAccuracy = accuracy(f.xTrain, run.W, f.yTrain);
  const valAccuracy = accuracy(f.xVal, run.W, f.yVal);
  const testAccuracy = accuracy(f.xTest, run.W, f.yTest);
  return finish(
    context,
    started,
    { ...config, sweep: options.sweep ?? false, checkpoint: options.checkpoint ?? null },
    {
      losses: run.stepLosses,
      epochs: run.epochs,
      sweep,
      trainAccuracy,
      valAccuracy,
      testAccuracy,
      timings: { trainingSeconds: run.seconds, secondsPerEpoch: run.epochs.map((e) => e.seconds) },
      weights: { shape: run.W.shape, sha256: await sha256(run.W.data) },
    },
    {
      "loss.svg": lineChart({
        title: `${config.loss} loss, ${config.optimizer}, batch ${config.batchSize}`,
        xLabel: "step",
        yLabel: "loss (data + reg)",
        series: [{ name: "mini-batch loss", points: run.stepLosses.map((l, i) => [i + 1, l]) }],
        logY: true,
      }),
    },
    [
      {
        loss: config.loss,
        optimizer: config.optimizer,
        epochs: run.epochs.length,
        "train acc": percent(trainAccuracy),
        "val acc": percent(valAccuracy),
        "test acc": percent(testAccuracy),
        seconds: +run.seconds.toFixed(1),
      },
    ],
  );
}

/** A fingerprint of the weights' bits, so that two runs can be compared exactly. */
async function sha256(data: Float32Array | Float64Array): Promise<string> {
  const { createHash } = await import("node:crypto");
  return createHash("sha256")
    .update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
    .digest("hex");
}
