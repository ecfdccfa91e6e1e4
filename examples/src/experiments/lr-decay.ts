import { slice } from "@slope/core";
import { type CommonOptions, checkCommonOptions, createContext } from "../context.js";
import { type Features, linearFeatures } from "../data-source.js";
import { lineChart } from "../output/plots.js";
import { finish, percent } from "../output/results.js";
import { type ScheduleName, count, positive } from "../training/choices.js";
import { accuracy } from "../training/evaluate.js";
import { type LinearConfig, trainLinear } from "../training/linear.js";
import { TRAIN_DEFAULTS } from "./train.js";

/** Options of the lr-decay experiment. */
export interface LrDecayOptions extends CommonOptions {
  /** The "good" learning rate the others are multiples of (softmax's default). */
  lr?: number;
  epochs?: number;
  /** Training rows used (10,000; the tour 2,000). */
  rows?: number;
}

/** lr-decay's options, checked before any data loads. */
export function lrDecaySettings(options: LrDecayOptions): { lr: number | undefined; epochs: number; rows: number } {
  checkCommonOptions(options);
  return {
    lr: options.lr === undefined ? undefined : positive("lr", options.lr),
    epochs: count("epochs", options.epochs ?? (options.quick ? 2 : 6)),
    rows: count("rows", options.rows ?? (options.quick ? 2000 : 10000)),
  };
}

/**
 * The slide's four learning rates on one plot — very high (×100, the loss blows up), high (×10,
 * it settles at a poor loss), low (×1/20, slow) and good (the best of a one-epoch search) — then,
 * at the good rate, a constant rate against step, exponential and 1/t decay.
 */
export async function lrDecayExperiment(options: LrDecayOptions = {}) {
  const started = performance.now();
  const settings = lrDecaySettings(options);
  const context = createContext("lr-decay", options);
  const full = linearFeatures(context.data);
  const rows = Math.min(settings.rows, full.xTrain.shape[0]!);
  const f: Features = {
    ...full,
    xTrain: slice(full.xTrain, [0, 0], [rows, -1]),
    yTrain: full.yTrain.subarray(0, rows),
  };
  const epochs = settings.epochs;
  const base: LinearConfig = {
    loss: "softmax",
    optimizer: "sgd",
    schedule: "constant",
    lr: TRAIN_DEFAULTS.softmax.lr,
    reg: TRAIN_DEFAULTS.softmax.reg,
    batchSize: 128,
    epochs,
    initScale: 1e-4,
  };
  // "Good" is found, not assumed: the rate with the lowest loss after one epoch, among a few.
  const candidates = [1e-7, 3e-7, 1e-6, 3e-6, 1e-5];
  const good =
    settings.lr !== undefined
      ? settings.lr
      : candidates
          .map((lr) => ({
            lr,
            loss: trainLinear(f, { ...base, lr, epochs: 1 }, { seed: context.seed }).epochs[0]!.meanLoss,
          }))
          .reduce((a, b) => (b.loss < a.loss ? b : a)).lr;
  base.lr = good;
  context.log(
    `lr-decay: softmax on ${rows} training rows of ${context.data.description}, good lr ${good} (lowest loss after one epoch among ${candidates.join(", ")}), ${epochs} epochs`,
  );
  const stepsPerEpoch = Math.ceil(rows / base.batchSize);

  const rates = [
    ["very high lr", 100],
    ["high lr", 10],
    ["low lr", 0.05],
    ["good lr", 1],
  ] as const;
  const rateRuns = rates.map(([name, factor]) => {
    const run = trainLinear(f, { ...base, lr: good * factor }, { seed: context.seed });
    return { name, lr: good * factor, run };
  });
  const schedules: ScheduleName[] = ["constant", "step", "exponential", "inverse-time"];
  const scheduleRuns = schedules.map((schedule) => {
    const run = trainLinear(f, { ...base, schedule, epochs: epochs * 2 }, { seed: context.seed });
    return { name: schedule, run, valAccuracy: accuracy(f.xVal, run.W, f.yVal) };
  });

  // Epoch-fraction on x, so the curves read like the slide's "loss against epoch".
  const curve = (losses: number[]) => losses.map((l, i) => [(i + 1) / stepsPerEpoch, l] as [number, number]);
  const summary = [
    ...rateRuns.map((r) => ({
      part: "learning rates",
      run: r.name,
      lr: r.lr,
      "final epoch loss": r.run.epochs.at(-1)!.meanLoss,
      "val acc": percent(r.run.epochs.at(-1)!.valAccuracy),
    })),
    ...scheduleRuns.map((r) => ({
      part: "decay",
      run: r.name,
      lr: r.run.epochs.at(-1)!.lr,
      "final epoch loss": r.run.epochs.at(-1)!.meanLoss,
      "val acc": percent(r.valAccuracy),
    })),
  ];
  return finish(
    context,
    started,
    { ...base, rows, factors: Object.fromEntries(rates) },
    {
      losses: rateRuns.find((r) => r.name === "good lr")!.run.stepLosses,
      learningRates: rateRuns.map((r) => ({ name: r.name, lr: r.lr, losses: r.run.stepLosses, epochs: r.run.epochs })),
      decay: scheduleRuns.map((r) => ({
        schedule: r.name,
        losses: r.run.stepLosses,
        epochs: r.run.epochs,
        valAccuracy: r.valAccuracy,
      })),
    },
    {
      "learning-rates.svg": lineChart({
        title: "Four learning rates (the slide)",
        xLabel: "epoch",
        yLabel: "mini-batch loss",
        series: rateRuns.map((r) => ({
          name: `${r.name} (${r.lr.toExponential(0)})`,
          points: curve(r.run.stepLosses),
        })),
        logY: true,
      }),
      "decay.svg": lineChart({
        title: `Learning-rate decay from ${good}`,
        xLabel: "epoch",
        yLabel: "mini-batch loss",
        series: scheduleRuns.map((r) => ({ name: r.name, points: curve(r.run.stepLosses) })),
        logY: true,
      }),
    },
    summary,
  );
}
