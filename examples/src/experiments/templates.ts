import { slice } from "@slope/core";
import { type CommonOptions, checkCommonOptions, createContext } from "../context.js";
import { linearFeatures } from "../data-source.js";
import { templatesPng } from "../output/images.js";
import { finish, percent } from "../output/results.js";
import { LOSSES, type LossName, count, oneOf } from "../training/choices.js";
import { accuracy } from "../training/evaluate.js";
import { trainLinear } from "../training/linear.js";
import { TRAIN_DEFAULTS } from "./train.js";

/** Options of the templates experiment. */
export interface TemplatesOptions extends CommonOptions {
  loss?: LossName;
  epochs?: number;
}

/** templates' options, checked before any data loads. */
export function templatesSettings(options: TemplatesOptions): { loss: LossName; epochs: number } {
  checkCommonOptions(options);
  return {
    loss: oneOf("loss", options.loss ?? "softmax", LOSSES),
    epochs: count("epochs", options.epochs ?? (options.quick ? 2 : 8)),
  };
}

/**
 * "Interpreting a linear classifier": train one, then show each class's row of W (its 3,072
 * pixel weights, the bias dropped) as a 32×32 colour image: the template the class matches.
 */
export async function templatesExperiment(options: TemplatesOptions = {}) {
  const started = performance.now();
  const { loss, epochs } = templatesSettings(options);
  const context = createContext("templates", options);
  const f = linearFeatures(context.data);
  context.log(`templates: ${loss} classifier, ${epochs} epochs on ${context.data.description}`);
  const run = trainLinear(
    f,
    { loss, optimizer: "sgd", schedule: "step", ...TRAIN_DEFAULTS[loss], batchSize: 256, epochs, initScale: 1e-4 },
    { seed: context.seed },
  );
  // W is [3073, 10]: class k's template is column k without the bias row.
  const pixels = slice(run.W, [0, 0], [3072, 10]);
  const rows = Array.from({ length: 10 }, (_, k) => {
    const row = new Float32Array(3072);
    for (let i = 0; i < 3072; i++) row[i] = pixels.data[i * 10 + k]!;
    return row;
  });
  const testAccuracy = accuracy(f.xTest, run.W, f.yTest);
  return finish(
    context,
    started,
    { loss, epochs, ...TRAIN_DEFAULTS[loss] },
    {
      losses: run.stepLosses,
      labelNames: context.data.labelNames,
      testAccuracy,
      valAccuracy: accuracy(f.xVal, run.W, f.yVal),
      trainAccuracy: accuracy(f.xTrain, run.W, f.yTrain),
    },
    { "templates.png": templatesPng(rows) },
    [{ classes: context.data.labelNames.join(" "), "test acc": percent(testAccuracy) }],
  );
}
