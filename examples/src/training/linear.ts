import { add, l2, linear, mul, param, softmaxCrossEntropy, svmLoss } from "@slope/autograd";
import { type EncodedArray, Rng, type Tensor, ValueError, decodeArray, encodeArray, fromData, randn, reuseBuffers } from "@slope/core";
import { DataLoader } from "@slope/data";
import { Scheduler } from "@slope/optim";
import type { Features } from "../data-source.js";
import type { Progress } from "../output/progress.js";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint.js";
import { type LossName, type OptimizerName, type ScheduleName, makeOptimizer, makeSchedule } from "./choices.js";
import { accuracy } from "./evaluate.js";

/** A linear classifier's training run: the loss, the optimizer and its schedule, and the usual knobs. */
export interface LinearConfig {
  loss: LossName;
  optimizer: OptimizerName;
  schedule: ScheduleName;
  lr: number;
  reg: number;
  batchSize: number;
  epochs: number;
  /** Standard deviation of W's initial values. */
  initScale: number;
}

/** What happened, epoch by epoch. */
export interface EpochRecord {
  epoch: number;
  lr: number;
  meanLoss: number;
  seconds: number;
  valAccuracy: number;
}

/** The result of a run: the weights and the record of every step and epoch. */
export interface LinearRun {
  W: Tensor;
  stepLosses: number[];
  epochs: EpochRecord[];
  seconds: number;
  resumedFromEpoch: number | null;
}

interface LinearCheckpoint {
  config: LinearConfig;
  seed: number;
  completedEpochs: number;
  W: EncodedArray;
  optimizer: ReturnType<ReturnType<typeof makeOptimizer>["stateDict"]>;
  scheduler: ReturnType<Scheduler["stateDict"]>;
  loader: ReturnType<DataLoader["stateDict"]>;
  stepLosses: number[];
  epochs: EpochRecord[];
}

/** The lecture's full loss on a batch: data loss + reg·Σ W². */
export function linearLoss(lossName: LossName, x: Tensor, W: Parameters<typeof linear>[1], y: ArrayLike<number>, reg: number) {
  const scores = linear(x, W);
  const data = lossName === "svm" ? svmLoss(scores, y as Uint8Array) : softmaxCrossEntropy(scores, y as Uint8Array);
  return add(data, mul(l2(W), reg));
}

/**
 * Mini-batch training of a linear classifier s = [x, 1]·W: each step gathers a batch, computes
 * the loss, backpropagates and steps the optimizer; the schedule steps once per epoch. With a
 * checkpoint folder, the full state (W, optimizer, schedule, data order) is saved atomically after
 * every epoch, and `resume` continues from it to the same bits as an uninterrupted run.
 */
export function trainLinear(
  features: Features, config: LinearConfig,
  { seed, progress, checkpoint, resume = false, stopAfterEpochs, onEpoch }: {
    seed: number; progress?: Progress; checkpoint?: string; resume?: boolean; stopAfterEpochs?: number;
    onEpoch?: (record: EpochRecord) => void;
  },
): LinearRun {
  const rng = new Rng(`linear-${seed}`);
  const [n, d] = features.xTrain.shape as [number, number];
  if (n === 0) throw new ValueError("trainLinear: the training split is empty");
  const W = param(randn([d, 10], { rng, std: config.initScale }));
  const optimizer = makeOptimizer(config.optimizer, [W], config.lr);
  const scheduler = new Scheduler(optimizer, makeSchedule(config.schedule, config.lr, config.epochs));
  const loader = new DataLoader(features.xTrain, features.yTrain, { batchSize: Math.min(config.batchSize, n), shuffle: true, rng });
  let stepLosses: number[] = [];
  let epochs: EpochRecord[] = [];
  let start = 0;
  let resumedFromEpoch: number | null = null;
  if (checkpoint && resume) {
    const saved = loadCheckpoint<LinearCheckpoint>(checkpoint);
    if (saved) {
      if (JSON.stringify(saved.config) !== JSON.stringify(config) || saved.seed !== seed) {
        throw new ValueError(`the checkpoint in ${checkpoint} was made with other settings (${JSON.stringify(saved.config)}, seed ${saved.seed}); resume with the same ones`);
      }
      W.value.data.set(decodeArray(saved.W));
      optimizer.loadStateDict(saved.optimizer);
      scheduler.loadStateDict(saved.scheduler);
      loader.loadStateDict(saved.loader);
      stepLosses = saved.stepLosses;
      epochs = saved.epochs;
      start = saved.completedEpochs;
      resumedFromEpoch = start;
    }
  }
  // One step; its tensors reuse the previous step's buffers (only the loss leaves it, as a number).
  const trainStep = reuseBuffers((x: Tensor, y: ArrayLike<number>): number => {
    optimizer.zeroGrad();
    const loss = linearLoss(config.loss, x, W, y, config.reg);
    loss.backward();
    optimizer.step();
    return loss.item();
  });
  const began = performance.now();
  for (let epoch = start; epoch < config.epochs; epoch++) {
    const epochStart = performance.now();
    let total = 0;
    let steps = 0;
    for (const batch of loader) {
      const value = trainStep(batch.x, batch.y);
      stepLosses.push(value);
      total += value;
      steps++;
      progress?.tick(1, { note: `loss ${value.toFixed(3)}` });
    }
    const record: EpochRecord = {
      epoch: epoch + 1, lr: optimizer.lr, meanLoss: total / steps,
      seconds: (performance.now() - epochStart) / 1000, valAccuracy: accuracy(features.xVal, W.value, features.yVal),
    };
    epochs.push(record);
    onEpoch?.(record);
    scheduler.step();
    if (checkpoint) {
      saveCheckpoint(checkpoint, {
        config, seed, completedEpochs: epoch + 1, W: encodeArray(W.value.data), optimizer: optimizer.stateDict(),
        scheduler: scheduler.stateDict(), loader: loader.stateDict(), stepLosses, epochs,
      } satisfies LinearCheckpoint);
    }
    if (stopAfterEpochs !== undefined && epoch + 1 >= stopAfterEpochs) break;
  }
  return { W: fromData(W.value.data, W.value.shape), stepLosses, epochs, seconds: (performance.now() - began) / 1000, resumedFromEpoch };
}
