import { param } from "@slope/autograd";
import { Rng, clone, randn, slice } from "@slope/core";
import { DataLoader } from "@slope/data";
import {
  AdaGrad,
  Adam,
  LBFGS,
  Momentum,
  Nesterov,
  type Optimizer,
  type Parameter,
  RMSProp,
  SGD,
  type Surface,
  type TrajectoryPoint,
  beale,
  himmelblau,
  quadraticBowl,
  rosenbrock,
  runTrajectory,
  saddle,
  twoMinima,
} from "@slope/optim";
import { type CommonOptions, checkCommonOptions, createContext } from "../context.js";
import { linearFeatures } from "../data-source.js";
import { contourChart, lineChart } from "../output/plots.js";
import { finish, percent } from "../output/results.js";
import { count } from "../training/choices.js";
import { accuracy } from "../training/evaluate.js";
import { linearLoss } from "../training/linear.js";
import { newtonTrajectory } from "../training/newton.js";

/** Options of the optimizers experiment. */
export interface OptimizersOptions extends CommonOptions {
  epochs?: number;
  /** Training rows used for the CIFAR curves (10,000; the tour 2,000). */
  rows?: number;
}

type Maker = (params: Parameter[], lr: number) => Optimizer;
/** The first-order optimizers, the ones every surface has a learning rate for, in the order the pictures list them. */
type FirstName = keyof Surface["learningRates"];
const FIRST_NAMES: readonly FirstName[] = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam"];
const first: Record<FirstName, Maker> = {
  SGD: (p, lr) => new SGD(p, { lr }),
  Momentum: (p, lr) => new Momentum(p, { lr, momentum: 0.9 }),
  Nesterov: (p, lr) => new Nesterov(p, { lr, momentum: 0.9 }),
  AdaGrad: (p, lr) => new AdaGrad(p, { lr }),
  RMSProp: (p, lr) => new RMSProp(p, { lr }),
  Adam: (p, lr) => new Adam(p, { lr }),
};

/** Learning rates per optimizer for the CIFAR softmax (raw pixels: the adaptive ones move each weight by ~lr). */
const CIFAR_RATES: Record<FirstName, number> = {
  SGD: 1e-6,
  Momentum: 1e-7,
  Nesterov: 1e-7,
  AdaGrad: 1e-4,
  RMSProp: 1e-5,
  Adam: 1e-5,
};

const SURFACES = [quadraticBowl, rosenbrock, beale, saddle, himmelblau, twoMinima];

const distance = (points: TrajectoryPoint[], [mx, my]: [number, number]) =>
  points.map((p, i) => [i, Math.hypot(p.x - mx, p.y - my)] as [number, number]);

/** optimizers' options, checked before any data loads. */
export function optimizersSettings(options: OptimizersOptions): { epochs: number; rows: number } {
  checkCommonOptions(options);
  return {
    rows: count("rows", options.rows ?? (options.quick ? 2000 : 10000)),
    epochs: count("epochs", options.epochs ?? (options.quick ? 2 : 5)),
  };
}

/**
 * SGD, momentum, Nesterov, AdaGrad, RMSProp and Adam: loss curves of a softmax classifier on CIFAR,
 * and trajectories over the 2-D surfaces (the lecture's animations, as pictures). Beside them,
 * Newton's method (its Hessian by autograd) and L-BFGS, with the distance to the minimum on a log
 * scale against steps: sublinear, linear and quadratic convergence side by side.
 */
export async function optimizersExperiment(options: OptimizersOptions = {}) {
  const started = performance.now();
  const settings = optimizersSettings(options);
  const context = createContext("optimizers", options);
  const f = linearFeatures(context.data);
  const rows = Math.min(settings.rows, f.xTrain.shape[0]!);
  const epochs = settings.epochs;
  const X = slice(f.xTrain, [0, 0], [rows, -1]);
  const y = f.yTrain.subarray(0, rows);
  const W0 = randn([X.shape[1]!, 10], { rng: new Rng(`optimizers-${context.seed}`), std: 1e-4 });
  context.log(`optimizers: softmax on ${rows} training rows of ${context.data.description}, ${epochs} epochs each`);

  const curves: Record<string, number[]> = {};
  const summary: Record<string, unknown>[] = [];
  for (const name of FIRST_NAMES) {
    const W = param(clone(W0));
    const optimizer = first[name]([W], CIFAR_RATES[name]);
    const loader = new DataLoader(X, y, { batchSize: 128, shuffle: true, rng: new Rng(`order-${context.seed}`) });
    const losses: number[] = [];
    const progress = context.progress(epochs * loader.length, name);
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (const batch of loader) {
        optimizer.zeroGrad();
        const loss = linearLoss("softmax", batch.x, W, batch.y, 1e3);
        loss.backward();
        optimizer.step();
        losses.push(loss.item());
        progress.tick();
      }
    }
    progress.stop();
    curves[name] = losses;
    summary.push({
      optimizer: name,
      lr: CIFAR_RATES[name],
      "final loss": losses.at(-1),
      "val acc": percent(accuracy(f.xVal, W.value, f.yVal)),
    });
  }

  const pictures: Record<string, Promise<string>> = {
    "cifar-loss.svg": lineChart({
      title: "Softmax on CIFAR: loss per step",
      xLabel: "step",
      yLabel: "mini-batch loss",
      series: Object.entries(curves).map(([name, l]) => ({ name, points: l.map((v, i) => [i + 1, v]) })),
      logY: true,
    }),
  };
  const trajectories: Record<string, Record<string, TrajectoryPoint[]>> = {};
  for (const surface of SURFACES) {
    const paths: Record<string, TrajectoryPoint[]> = {};
    const steps = context.quick ? Math.ceil(surface.steps / 2) : surface.steps;
    for (const name of FIRST_NAMES)
      paths[name] = runTrajectory(surface, (p) => first[name](p, surface.learningRates[name]), { steps });
    trajectories[surface.name] = paths;
    pictures[`surface-${surface.name}.svg`] = contourChart({
      title: surface.title,
      f: surface.f,
      domain: surface.domain,
      minima: surface.minima,
      paths: Object.entries(paths).map(([name, points]) => ({ name, points: points.map((p) => [p.x, p.y]) })),
    });
  }

  // Convergence rates: distance to the minimum against steps, on a log scale.
  const rates: Record<string, Record<string, [number, number][]>> = {};
  for (const { surface, steps } of [
    { surface: quadraticBowl, steps: 60 },
    { surface: rosenbrock, steps: context.quick ? 300 : 2000 },
  ]) {
    const minimum = surface.minima[0]!;
    const series: Record<string, [number, number][]> = {};
    for (const name of ["SGD", "Momentum", "Adam"] as const)
      series[name] = distance(
        runTrajectory(surface, (p) => first[name](p, surface.learningRates[name]), { steps }),
        minimum,
      );
    series["L-BFGS"] = distance(
      runTrajectory(surface, (p) => new LBFGS(p, { maxIterations: 1 }), { steps: Math.min(steps, 60) }),
      minimum,
    );
    series["Newton (autograd Hessian)"] = distance(newtonTrajectory(surface, { steps: 20 }), minimum);
    rates[surface.name] = series;
    pictures[`convergence-${surface.name}.svg`] = lineChart({
      title: `${surface.title}: distance to the minimum`,
      xLabel: "step",
      yLabel: "‖x − x*‖",
      logY: true,
      series: Object.entries(series).map(([name, points]) => ({
        name,
        points: points.map(([s, d]) => [s, Math.max(d, 1e-16)] as [number, number]),
      })),
    });
    for (const [name, points] of Object.entries(series)) {
      const reached = points.find(([, d]) => d < 1e-6);
      summary.push({
        optimizer: name,
        surface: surface.name,
        "steps to 1e-6": reached ? reached[0] : `> ${points.length - 1}`,
        "final distance": points.at(-1)![1],
      });
    }
  }

  return finish(
    context,
    started,
    {
      rows,
      epochs,
      cifarRates: CIFAR_RATES,
      surfaces: SURFACES.map((s) => ({ name: s.name, steps: s.steps, rates: s.learningRates })),
    },
    {
      losses: curves.Adam!,
      cifarLosses: curves,
      trajectories,
      distanceToMinimum: rates,
    },
    pictures,
    summary,
  );
}
