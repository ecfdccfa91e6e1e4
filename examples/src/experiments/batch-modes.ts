import { noGrad, param } from "@slope/autograd";
import { Rng, clone, randn, slice } from "@slope/core";
import { DataLoader } from "@slope/data";
import { SGD } from "@slope/optim";
import { type CommonOptions, checkCommonOptions, createContext } from "../context.js";
import { linearFeatures } from "../data-source.js";
import { lineChart } from "../output/plots.js";
import { finish } from "../output/results.js";
import { count, positive } from "../training/choices.js";
import { linearLoss } from "../training/linear.js";

/** Options of the batch-modes experiment. */
export interface BatchModesOptions extends CommonOptions {
  /** Training rows used (5,000; the tour 1,000): BGD touches all of them every step. */
  rows?: number;
  /** Wall-clock budget per method, in seconds, not counting the loss evaluations (6; the tour 1.5). */
  seconds?: number;
  lr?: number;
  miniBatch?: number;
}

/** One point of a run: after `step` updates and `seconds` of training, the full training loss. */
interface Point {
  step: number;
  seconds: number;
  loss: number;
}

/** batch-modes' options, checked before any data loads. */
export function batchModesSettings(options: BatchModesOptions) {
  checkCommonOptions(options);
  return {
    rows: count("rows", options.rows ?? (options.quick ? 1000 : 5000)),
    seconds: positive("seconds", options.seconds ?? (options.quick ? 1.5 : 6)),
    lr: positive("lr", options.lr ?? 1e-6),
    miniBatch: count("mini-batch", options.miniBatch ?? 256),
  };
}

/**
 * Batch gradient descent (every row each step), stochastic (one row) and mini-batch (256 rows) on
 * the same softmax classifier with the same lr and the same time budget: loss against steps, where
 * BGD makes the most progress per step, and against wall time, where mini-batches win.
 */
export async function batchModesExperiment(options: BatchModesOptions = {}) {
  const started = performance.now();
  const settings = batchModesSettings(options);
  const context = createContext("batch-modes", options);
  const f = linearFeatures(context.data);
  const rows = Math.min(settings.rows, f.xTrain.shape[0]!);
  const budget = settings.seconds;
  const lr = settings.lr;
  const miniBatch = Math.min(settings.miniBatch, rows);
  const reg = 1e3;
  const X = slice(f.xTrain, [0, 0], [rows, -1]);
  const y = f.yTrain.subarray(0, rows);
  const W0 = randn([X.shape[1]!, 10], { rng: new Rng(`batch-modes-${context.seed}`), std: 1e-4 });
  const fullLoss = (w: typeof W0) => noGrad(() => linearLoss("softmax", X, w, y, reg).item());
  context.log(
    `batch-modes: softmax on ${rows} training rows of ${context.data.description}, lr ${lr}, ${budget} s per method`,
  );

  const methods = [
    { name: "BGD (batch = all rows)", batchSize: rows },
    { name: "SGD (batch = 1)", batchSize: 1 },
    { name: `MBGD (batch = ${miniBatch})`, batchSize: miniBatch },
  ];
  const runs: Record<string, Point[]> = {};
  const summary: Record<string, unknown>[] = [];
  for (const method of methods) {
    const W = param(clone(W0)); // every method starts from the same weights
    const sgd = new SGD([W], { lr });
    const loader = new DataLoader(X, y, {
      batchSize: method.batchSize,
      shuffle: true,
      rng: new Rng(`order-${context.seed}`),
    });
    const points: Point[] = [{ step: 0, seconds: 0, loss: fullLoss(W.value) }];
    let trainingSeconds = 0;
    let step = 0;
    let nextEvaluation = 1;
    const progress = context.progress(Math.round(budget * 10), `${method.name} (0.1 s)`);
    let shown = 0; // tenths of a second reported to the progress bar so far
    while (trainingSeconds < budget && step < 1_000_000) {
      const t = performance.now();
      const batch = loader.next();
      sgd.zeroGrad();
      linearLoss("softmax", batch.x, W, batch.y, reg).backward();
      sgd.step();
      trainingSeconds += (performance.now() - t) / 1000;
      step++;
      if (step >= nextEvaluation) {
        points.push({ step, seconds: trainingSeconds, loss: fullLoss(W.value) });
        nextEvaluation = Math.ceil(nextEvaluation * 1.25);
        const tenths = Math.min(Math.floor(trainingSeconds * 10), Math.round(budget * 10));
        progress.tick(tenths - shown);
        shown = tenths;
      }
    }
    progress.stop();
    if (points[points.length - 1]!.step !== step)
      points.push({ step, seconds: trainingSeconds, loss: fullLoss(W.value) });
    runs[method.name] = points;
    const last = points[points.length - 1]!;
    summary.push({
      method: method.name,
      steps: step,
      "rows seen": step * method.batchSize,
      "steps/s": +(step / trainingSeconds).toFixed(1),
      "final loss": last.loss,
    });
  }
  const series = (x: "step" | "seconds") =>
    Object.entries(runs).map(([name, points]) => ({
      name,
      points: points.filter((p) => p[x] > 0).map((p) => [p[x], p.loss] as [number, number]),
    }));
  return finish(
    context,
    started,
    { rows, seconds: budget, lr, reg, miniBatch, loss: "softmax" },
    {
      losses: runs[methods[2]!.name]!.map((p) => p.loss),
      runs,
      timings: Object.fromEntries(Object.entries(runs).map(([name, p]) => [name, p[p.length - 1]!.seconds])),
    },
    {
      "loss-vs-steps.svg": lineChart({
        title: "Full training loss against steps",
        xLabel: "step",
        yLabel: "loss",
        series: series("step"),
        logX: true,
      }),
      "loss-vs-time.svg": lineChart({
        title: "Full training loss against wall time",
        xLabel: "seconds of training",
        yLabel: "loss",
        series: series("seconds"),
      }),
    },
    summary,
  );
}
