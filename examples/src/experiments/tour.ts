import { join, resolve } from "node:path";
import { type CommonOptions, checkCommonOptions } from "../context.js";
import { loadLectureData } from "../data-source.js";
import { writeJsonAtomic } from "../output/files.js";
import { percent, table } from "../output/results.js";
import { batchModesExperiment } from "./batch-modes.js";
import { cnnExperiment } from "./cnn.js";
import { gradientsExperiment } from "./gradients.js";
import { lrDecayExperiment } from "./lr-decay.js";
import { optimizersExperiment } from "./optimizers.js";
import { randomSearchExperiment } from "./random-search.js";
import { templatesExperiment } from "./templates.js";
import { trainExperiment } from "./train.js";
import { twoLayerExperiment } from "./two-layer.js";

/**
 * The lecture in one command: a short version of every experiment in turn, in the lecture's
 * order, each writing into <out>/<experiment>, then one summary table.
 */
export async function tourExperiment(options: CommonOptions = {}) {
  const started = performance.now();
  checkCommonOptions(options);
  const out = resolve(options.out ?? "out/tour");
  const seed = options.seed ?? 0;
  const log = (m: string) => {
    if (!options.quiet) console.log(m);
  };
  const preloaded = loadLectureData({ data: options.data, seed });
  log(`tour: data: ${preloaded.description}`);
  const common = (name: string) => ({ ...options, quick: true, seed, preloaded, out: join(out, name) });
  const steps: [string, () => Promise<Record<string, unknown>>, (r: Record<string, unknown>) => string][] = [
    [
      "random-search",
      () => randomSearchExperiment(common("random-search")),
      (r) => `test accuracy ${percent(r.testAccuracy as number)} (lecture: 15.5%)`,
    ],
    [
      "gradients",
      () => gradientsExperiment(common("gradients")),
      (r) =>
        `numerical ≈ ${Math.round((r.softmax as { numericalFullSecondsEstimate: number }).numericalFullSecondsEstimate / (r.softmax as { analyticSeconds: number }).analyticSeconds)}× slower than analytic; batch-gradient agreement ${((r.miniBatchAgreement as { relError: number }).relError).toExponential(1)}`,
    ],
    [
      "train",
      () => trainExperiment({ ...common("train"), loss: "svm" }),
      (r) => `SVM test accuracy ${percent(r.testAccuracy as number)}`,
    ],
    ["batch-modes", () => batchModesExperiment(common("batch-modes")), () => "loss against steps and against time"],
    [
      "lr-decay",
      () => lrDecayExperiment(common("lr-decay")),
      () => "four learning rates; constant, step, exponential, 1/t",
    ],
    [
      "optimizers",
      () => optimizersExperiment(common("optimizers")),
      () => "6 optimizers on CIFAR and 6 surfaces; Newton and L-BFGS",
    ],
    [
      "two-layer",
      () => twoLayerExperiment(common("two-layer")),
      (r) => `test accuracy ${percent(r.testAccuracy as number)}`,
    ],
    [
      "cnn",
      () => cnnExperiment(common("cnn")),
      (r) => {
        const images = (r.config as { trainImages: number }).trainImages;
        return `convnet test accuracy ${percent(r.testAccuracy as number)} after one epoch on ${images} images`;
      },
    ],
    ["templates", () => templatesExperiment(common("templates")), () => "templates.png"],
  ];
  const rows: Record<string, unknown>[] = [];
  for (const [name, run, describe] of steps) {
    log(`\n━━ ${name} ━━`);
    const t = performance.now();
    const result = await run();
    rows.push({
      experiment: name,
      seconds: +((performance.now() - t) / 1000).toFixed(1),
      result: describe(result),
      output: join(out, name),
    });
  }
  const seconds = (performance.now() - started) / 1000;
  writeJsonAtomic(join(out, "results.json"), {
    experiment: "tour",
    data: preloaded.kind,
    dataDescription: preloaded.description,
    seed,
    config: { quick: true },
    steps: rows,
    seconds,
  });
  log(`\ntour finished in ${seconds.toFixed(1)} s on ${preloaded.description}\n${table(rows)}`);
  return { experiment: "tour", data: preloaded.kind, steps: rows, seconds };
}
