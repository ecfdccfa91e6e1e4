import { type Var, add, l2, mul, noGrad } from "@slope/autograd";
import { Rng, type Tensor, reuseBuffers } from "@slope/core";
import { DataLoader, channelStatistics, meanImage, toFeatures } from "@slope/data";
import { Linear, ReLU, Sequential, crossEntropy, init } from "@slope/nn";
import { Adam, Scheduler, stepDecay } from "@slope/optim";
import { type CommonOptions, checkCommonOptions, createContext } from "../context.js";
import { lineChart } from "../output/plots.js";
import { finish, percent } from "../output/results.js";
import { count, nonNegative, positive } from "../training/choices.js";
import { accuracyOf } from "../training/evaluate.js";

/** Options of the two-layer experiment. */
export interface TwoLayerOptions extends CommonOptions {
  hidden?: number;
  lr?: number;
  reg?: number;
  epochs?: number;
  batchSize?: number;
}

/**
 * A two-layer net from @slope/nn: Linear → ReLU → Linear, softmax on top (in the loss). Linear
 * keeps PyTorch's layout, weight [out, in], so each layer computes x·Wᵀ + b.
 */
export class TwoLayerNet {
  readonly net: Sequential;
  readonly fc1: Linear;
  readonly fc2: Linear;

  /**
   * He initialisation, as the lecture's net had it (not Linear's default U(±1/√fan_in)): weights
   * ~ N(0, 2/fan_in), so ReLU activations keep their scale; biases 0.
   */
  constructor(inputs: number, hidden: number, classes: number, rng: Rng) {
    this.fc1 = new Linear(inputs, hidden, { rng });
    this.fc2 = new Linear(hidden, classes, { rng });
    this.net = new Sequential(this.fc1, new ReLU(), this.fc2);
    for (const layer of [this.fc1, this.fc2]) {
      init.kaimingNormal(layer.weight, { nonlinearity: "relu", rng });
      init.zeros(layer.bias!);
    }
  }

  /** Class scores: s = max(0, x·W1ᵀ + b1)·W2ᵀ + b2. */
  scores(x: Tensor): Var {
    return this.net.forward(x);
  }

  /**
   * Softmax loss (nn's crossEntropy) plus reg·(ΣW1² + ΣW2²): L2 on the weights only, not the biases.
   * With reg = 0 the penalty is left out (0·∞ would be NaN once ΣW² overflows).
   */
  loss(x: Tensor, y: ArrayLike<number>, reg: number): Var {
    const data = crossEntropy(this.scores(x), y);
    return reg === 0 ? data : add(data, mul(add(l2(this.fc1.weight), l2(this.fc2.weight)), reg));
  }

  accuracy(x: Tensor, y: ArrayLike<number>): number {
    return accuracyOf((rows) => noGrad(() => this.scores(rows)).value, x, y, 2048);
  }
}

/** two-layer's options, checked before any data loads. */
export function twoLayerSettings(options: TwoLayerOptions) {
  checkCommonOptions(options);
  return {
    hidden: count("hidden", options.hidden ?? 200),
    lr: positive("lr", options.lr ?? 1e-3),
    reg: nonNegative("reg", options.reg ?? 2e-3),
    epochs: count("epochs", options.epochs ?? (options.quick ? 1 : 12)),
    batchSize: count("batch size", options.batchSize ?? 256),
  };
}

/**
 * Proof that people can build their own models on Slope: a two-layer net (affine → ReLU → affine →
 * softmax) from @slope/nn's layers and loss, with its own initialisation and L2 regularisation,
 * trained by Adam with step decay on normalised pixels.
 */
export async function twoLayerExperiment(options: TwoLayerOptions = {}) {
  const started = performance.now();
  const { hidden, lr, reg, epochs, batchSize } = twoLayerSettings(options);
  const context = createContext("two-layer", options);
  const data = context.data;
  const mean = meanImage(data.train.images, data.train.count);
  const { std } = channelStatistics(data.train.images, data.train.count);
  const scale = (std[0] + std[1] + std[2]) / 3;
  const features = (set: typeof data.train) => toFeatures(set.images, set.count, { mean, scale });
  const xTrain = features(data.train),
    xVal = features(data.val),
    xTest = features(data.test);
  context.log(
    `two-layer: 3072 → ${hidden} → 10, Adam lr ${lr}, reg ${reg}, ${epochs} epochs, batch ${batchSize} on ${data.description}`,
  );

  const rng = new Rng(`two-layer-${context.seed}`);
  const net = new TwoLayerNet(3072, hidden, 10, rng);
  const optimizer = new Adam(net.net.parameters(), { lr });
  const scheduler = new Scheduler(
    optimizer,
    stepDecay({ lr0: lr, factor: 0.5, every: Math.max(1, Math.round(epochs / 4)) }),
  );
  const loader = new DataLoader(xTrain, data.train.labels, { batchSize, shuffle: true, rng });
  const losses: number[] = [];
  const perEpoch: { epoch: number; lr: number; valAccuracy: number }[] = [];
  const progress = context.progress(epochs * loader.length, "two-layer");
  // One step; its tensors reuse the previous step's buffers (only the loss leaves it, as a number).
  const trainStep = reuseBuffers((x: Tensor, y: ArrayLike<number>): number => {
    optimizer.zeroGrad();
    const loss = net.loss(x, y, reg);
    loss.backward();
    optimizer.step();
    return loss.item();
  });
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const batch of loader) {
      losses.push(trainStep(batch.x, batch.y));
      progress.tick(1, { note: `loss ${losses.at(-1)!.toFixed(3)}` });
    }
    perEpoch.push({ epoch: epoch + 1, lr: optimizer.lr, valAccuracy: net.accuracy(xVal, data.val.labels) });
    scheduler.step();
  }
  progress.stop();
  const trainAccuracy = net.accuracy(xTrain, data.train.labels);
  const valAccuracy = net.accuracy(xVal, data.val.labels);
  const testAccuracy = net.accuracy(xTest, data.test.labels);
  return finish(
    context,
    started,
    { hidden, lr, reg, epochs, batchSize, optimizer: "adam", schedule: "step ×0.5", init: "He" },
    {
      losses,
      epochs: perEpoch,
      trainAccuracy,
      valAccuracy,
      testAccuracy,
    },
    {
      "loss.svg": lineChart({
        title: `Two-layer net 3072 → ${hidden} → 10`,
        xLabel: "step",
        yLabel: "loss (data + reg)",
        series: [{ name: "mini-batch loss", points: losses.map((l, i) => [i + 1, l]) }],
        logY: true,
      }),
    },
    [
      {
        model: `3072 → ${hidden} → 10`,
        epochs,
        "train acc": percent(trainAccuracy),
        "val acc": percent(valAccuracy),
        "test acc": percent(testAccuracy),
      },
    ],
  );
}
