import { linear, noGrad, svmLoss } from "@slope/autograd";
import { Rng } from "@slope/core";
import { RandomSearch } from "@slope/optim";
import { type CommonOptions, checkCommonOptions, createContext } from "../context.js";
import { linearFeatures } from "../data-source.js";
import { lineChart } from "../output/plots.js";
import { finish, percent } from "../output/results.js";
import { count, positive } from "../training/choices.js";
import { accuracy } from "../training/evaluate.js";

/** Options of the random-search experiment. */
export interface RandomSearchOptions extends CommonOptions {
  /** How many random W to try (1,000; the tour 100). */
  attempts?: number;
  /** W = scale·randn (0.0001, as the slide). */
  scale?: number;
}

/** random-search's options, checked before any data loads. */
export function randomSearchSettings(options: RandomSearchOptions): { attempts: number; scale: number } {
  checkCommonOptions(options);
  return {
    attempts: count("attempts", options.attempts ?? (options.quick ? 100 : 1000)),
    scale: positive("scale", options.scale ?? 1e-4),
  };
}

/**
 * Strategy #1, "a very bad idea": try random W = 0.0001·randn, keep the one with the lowest SVM
 * loss (on the dev split), and report its test accuracy. The lecture gets 15.5% on CIFAR-10.
 */
export async function randomSearchExperiment(options: RandomSearchOptions = {}) {
  const started = performance.now();
  const { attempts, scale } = randomSearchSettings(options);
  const context = createContext("random-search", options);
  context.log(`random-search: ${attempts} random W = ${scale}·randn on ${context.data.description}`);
  const f = linearFeatures(context.data);
  const search = new RandomSearch({
    shape: [f.xDev.shape[1]!, 10],
    rng: new Rng(`random-search-${context.seed}`),
    scale,
  });
  const result = search.run((W) => noGrad(() => svmLoss(linear(f.xDev, W), f.yDev).item()), {
    iterations: attempts,
    onProgress: ({ iteration, loss, bestLoss }) =>
      context.log(`in attempt ${iteration} the loss was ${loss.toFixed(6)}, best ${bestLoss.toFixed(6)}`),
  });
  const testAccuracy = accuracy(f.xTest, result.best, f.yTest);
  const trainAccuracy = accuracy(f.xDev, result.best, f.yDev);
  let best = Infinity;
  const bestSoFar = result.losses.map((l, i) => {
    best = Math.min(best, l);
    return [i, best] as [number, number];
  });
  return finish(
    context,
    started,
    { attempts, scale, lossSet: "dev" },
    {
      losses: result.losses,
      bestLoss: result.bestLoss,
      trainAccuracy,
      testAccuracy,
    },
    {
      "loss.svg": lineChart({
        title: "Random search: SVM loss of each random W",
        xLabel: "attempt",
        yLabel: "SVM loss (dev split)",
        series: [
          { name: "this attempt", points: result.losses.map((l, i) => [i, l]) },
          { name: "best so far", points: bestSoFar },
        ],
      }),
    },
    [
      {
        attempts,
        "best loss": result.bestLoss,
        "dev accuracy": percent(trainAccuracy),
        "test accuracy": percent(testAccuracy),
        "lecture (CIFAR-10)": "15.5%",
      },
    ],
  );
}
