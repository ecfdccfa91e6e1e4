import {
  add,
  gradCheckSparse,
  linear,
  mul,
  noGrad,
  l2,
  param,
  relError,
  softmaxCrossEntropy,
  svmLoss,
} from "@slope/autograd";
import { Rng, type Tensor, add as addTensors, div, randn, slice, zerosLike } from "@slope/core";
import { meanImage, toFeatures } from "@slope/data";
import { type CommonOptions, checkCommonOptions, createContext } from "../context.js";
import { lineChart } from "../output/plots.js";
import { finish } from "../output/results.js";
import { count } from "../training/choices.js";

/** Options of the gradients experiment. */
export interface GradientsOptions extends CommonOptions {
  /** Examples in the batch the gradients are taken on (100; the tour 20). */
  batch?: number;
  /** Coordinates of W the numerical gradient is timed on (300; the tour 40). */
  coordinates?: number;
}

const losses = { svm: svmLoss, softmax: softmaxCrossEntropy } as const;

/** gradients' options, checked before any data loads. */
export function gradientsSettings(options: GradientsOptions): { batch: number; coordinates: number } {
  checkCommonOptions(options);
  return {
    batch: count("batch", options.batch ?? (options.quick ? 20 : 100)),
    coordinates: count("coordinates", options.coordinates ?? (options.quick ? 40 : 300)),
  };
}

/**
 * Numerical against analytic gradients, as the lecture compares them: the numerical gradient costs
 * two loss evaluations per weight ("very slow"), the analytic one a single backward pass; the
 * gradient check's relative errors show they agree, and shrink as h² until rounding takes over.
 * Then the slide's two ways of using a mini-batch: the average of the per-example gradients
 * equals the gradient of the averaged loss.
 */
export async function gradientsExperiment(options: GradientsOptions = {}) {
  const started = performance.now();
  const { batch, coordinates } = gradientsSettings(options);
  const context = createContext("gradients", options);
  const n = Math.min(batch, context.data.dev.count);
  const reg = 0.5;
  const mean = meanImage(context.data.train.images, context.data.train.count, "float64");
  const X = toFeatures(context.data.dev.images, n, { dtype: "float64", mean, bias: true });
  const y = context.data.dev.labels.subarray(0, n);
  const rng = new Rng(`gradients-${context.seed}`);
  const W0 = randn([X.shape[1]!, 10], { rng, std: 1e-4, dtype: "float64" });
  context.log(`gradients: ${n} examples of ${context.data.description}, W ${W0.shape.join("×")} float64, reg ${reg}`);

  const rows: Record<string, unknown>[] = [];
  const results: Record<string, unknown> = {};
  const hSeries: { name: string; points: [number, number][] }[] = [];
  for (const [name, node] of Object.entries(losses)) {
    const full = (w: Tensor | ReturnType<typeof param>) => add(node(linear(X, w), y), mul(l2(w), reg));
    const lossAt = (w: Tensor) => noGrad(() => full(w).item());

    const analyticStart = performance.now();
    const W = param(W0);
    full(W).backward();
    const analyticSeconds = (performance.now() - analyticStart) / 1000;

    const numericalStart = performance.now();
    const picked = gradCheckSparse(lossAt, W0, W.grad!, {
      checks: coordinates,
      rng: new Rng(`coordinates-${context.seed}`),
      h: 1e-5,
    });
    const perCoordinate = (performance.now() - numericalStart) / 1000 / coordinates;
    const numericalFullSeconds = perCoordinate * W0.size;

    const byH = [1e-3, 1e-4, 1e-5, 1e-6, 1e-7].map(
      (h) =>
        [h, gradCheckSparse(lossAt, W0, W.grad!, { checks: 20, rng: new Rng(`h-${context.seed}`), h }).maxRelError] as [
          number,
          number,
        ],
    );
    hSeries.push({ name, points: byH });
    const best = byH.reduce((a, b) => (b[1] < a[1] ? b : a));
    results[name] = {
      analyticSeconds,
      numericalSecondsPerCoordinate: perCoordinate,
      numericalFullSecondsEstimate: numericalFullSeconds,
      maxRelErrorAtH1e5: picked.maxRelError,
      maxRelErrorByH: byH,
    };
    rows.push({
      loss: name,
      "analytic (all 30,730)": `${(analyticSeconds * 1000).toFixed(1)} ms`,
      "numerical (all, est.)": `${numericalFullSeconds.toFixed(1)} s`,
      "numerical / analytic": Math.round(numericalFullSeconds / analyticSeconds),
      "rel. error h=1e-5": picked.maxRelError,
      "best h": best[0],
      "rel. error there": best[1],
    });
  }

  // The slide's two updates on a mini-batch give the same gradient.
  const average = (() => {
    let sum = zerosLike(W0);
    for (let i = 0; i < n; i++) {
      const W = param(W0);
      add(softmaxCrossEntropy(linear(slice(X, [i, 0], [1, -1]), W), [y[i]!]), mul(l2(W), reg)).backward();
      sum = addTensors(sum, W.grad!);
    }
    return div(sum, n);
  })();
  const W = param(W0);
  add(softmaxCrossEntropy(linear(X, W), y), mul(l2(W), reg)).backward();
  const batchAgreement = relError(average, W.grad!);
  results.miniBatchAgreement = {
    relError: batchAgreement,
    note: "mean of per-example gradients vs gradient of the mean loss (softmax + reg)",
  };
  context.log(
    `mini-batch: the mean of ${n} per-example gradients and the gradient of the mean loss differ by a relative ${batchAgreement.toExponential(2)}`,
  );

  return finish(
    context,
    started,
    { batch: n, coordinates, reg, dtype: "float64" },
    { ...results, losses: [] as number[] },
    {
      "relative-error-vs-h.svg": lineChart({
        title: "Gradient check: relative error against the step h",
        xLabel: "h",
        yLabel: "max relative error (20 coordinates)",
        series: hSeries,
        logX: true,
        logY: true,
      }),
    },
    rows,
  );
}
