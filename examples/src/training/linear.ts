import { add, l2, linear, mul, param, softmaxCrossEntropy, svmLoss } from "@slope/autograd";
import {
  type EncodedArray,
  Rng,
  type Tensor,
  ValueError,
  decodeArray,
  encodeArray,
  fromData,
  randn,
  reuseBuffers,
} from "@slope/core";
import { DataLoader } from "@slope/data";
import { Scheduler } from "@slope/optim";
import type { Features } from "../data-source.js";
import type { Progress } from "../output/progress.js";
import {
  CheckpointFormatError,
  type CheckpointIdentity,
  type DataSetRecord,
  checkIdentityForm,
  checkSameRun,
  checkpointFile,
  dataSetRecord,
  loadCheckpoint,
  restoring,
  reviveNumber,
  saveCheckpoint,
} from "./checkpoint.js";
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

/** What a linear classifier's checkpoint holds: what the run was, and its whole state after an epoch. */
export interface LinearCheckpoint extends CheckpointIdentity {
  config: LinearConfig;
  completedEpochs: number;
  W: EncodedArray;
  optimizer: ReturnType<ReturnType<typeof makeOptimizer>["stateDict"]>;
  scheduler: ReturnType<Scheduler["stateDict"]>;
  loader: ReturnType<DataLoader["stateDict"]>;
  stepLosses: number[];
  epochs: EpochRecord[];
}

/**
 * The lecture's full loss on a batch: data loss + reg·Σ W². With reg = 0 the penalty is left out
 * rather than multiplied by 0, so that a ΣW² that overflows (∞) does not turn the loss into 0·∞ = NaN
 * while the weights are finite.
 */
export function linearLoss(
  lossName: LossName,
  x: Tensor,
  W: Parameters<typeof linear>[1],
  y: ArrayLike<number>,
  reg: number,
) {
  const scores = linear(x, W);
  const data = lossName === "svm" ? svmLoss(scores, y as Uint8Array) : softmaxCrossEntropy(scores, y as Uint8Array);
  return reg === 0 ? data : add(data, mul(l2(W), reg));
}

/**
 * Reads the checkpoint in the folder `dir` and checks its form completely (without data: the
 * settings, data set and shapes are compared by `trainLinear`): null when there is none, a
 * CheckpointFormatError naming the file when it is damaged, truncated or not a checkpoint.
 */
export function readLinearCheckpoint(dir: string): LinearCheckpoint | null {
  const saved = loadCheckpoint<Record<string, unknown>>(dir);
  if (saved === null) return null;
  const file = checkpointFile(dir);
  checkIdentityForm(file, saved);
  const W = saved.W as Record<string, unknown> | undefined;
  const completed = saved.completedEpochs;
  const problem =
    !Number.isSafeInteger(completed) || (completed as number) < 1
      ? `completedEpochs is ${JSON.stringify(completed)}`
      : typeof W !== "object" || W === null || typeof W.base64 !== "string" || W.dtype !== "float32"
        ? "no float32 W"
        : !Number.isSafeInteger(W.length)
          ? "W has no length"
          : !["optimizer", "scheduler", "loader"].every((k) => typeof saved[k] === "object" && saved[k] !== null)
            ? "no optimizer, scheduler or data loader state"
            : !Array.isArray(saved.stepLosses)
              ? "no step losses"
              : !Array.isArray(saved.epochs) || saved.epochs.length !== completed
                ? `${(saved.epochs as unknown[] | undefined)?.length ?? "no"} epoch records for ${String(completed)} epochs`
                : null;
  if (problem !== null)
    throw new CheckpointFormatError(`${file} is not a checkpoint this version can resume: ${problem}`);
  try {
    const values = decodeArray(W as unknown as EncodedArray);
    const shape = (saved.shapes as Record<string, number[]>).W;
    if (shape === undefined || values.length !== shape.reduce((a, b) => a * b, 1)) {
      throw new CheckpointFormatError(
        `W holds ${values.length} values, its recorded shape is ${JSON.stringify(shape)}`,
      );
    }
    const stepLosses = (saved.stepLosses as unknown[]).map(reviveNumber);
    const epochs = (saved.epochs as Record<string, unknown>[]).map((e) => ({
      epoch: reviveNumber(e.epoch),
      lr: reviveNumber(e.lr),
      meanLoss: reviveNumber(e.meanLoss),
      seconds: reviveNumber(e.seconds),
      valAccuracy: reviveNumber(e.valAccuracy),
    }));
    return { ...(saved as unknown as LinearCheckpoint), stepLosses, epochs };
  } catch (error) {
    throw new CheckpointFormatError(`${file} is not a checkpoint this version can resume: ${(error as Error).message}`);
  }
}

/**
 * The data set of linear features, as a checkpoint records it: the rows of each split and a
 * SHA-256 over the labels of every split and the training mean image (which the features subtract).
 */
export function featuresDataSet(features: Features, description = "the given features"): DataSetRecord {
  const rows = { train: features.xTrain.shape[0]!, val: features.xVal.shape[0]!, test: features.xTest.shape[0]! };
  return dataSetRecord(description, rows, [features.yTrain, features.yVal, features.yTest, features.mean.data]);
}

/**
 * Mini-batch training of a linear classifier s = [x, 1]·W: each step gathers a batch, computes
 * the loss, backpropagates and steps the optimizer; the schedule steps once per epoch. With a
 * checkpoint folder, the full state (W, optimizer, schedule, data order) is saved atomically after
 * every epoch, with the settings, the seed, the data set and W's shape; `resume` continues from it
 * to the same bits as an uninterrupted run (and keeps saving there). Resuming needs a checkpoint
 * folder that holds a checkpoint of this very run: other settings, another data set or another
 * shape of W are a CheckpointMismatchError, a damaged file a CheckpointFormatError, both before
 * anything is loaded.
 */
export function trainLinear(
  features: Features,
  config: LinearConfig,
  {
    seed,
    progress,
    checkpoint,
    resume = false,
    stopAfterEpochs,
    onEpoch,
    dataDescription,
  }: {
    seed: number;
    progress?: Progress;
    checkpoint?: string;
    resume?: boolean;
    stopAfterEpochs?: number;
    onEpoch?: (record: EpochRecord) => void;
    /** Where the features came from, in words, for the checkpoint's record of its data set. */
    dataDescription?: string;
  },
): LinearRun {
  if (resume && !checkpoint) {
    throw new ValueError("resume needs checkpoint: the folder to resume from (and to keep saving into)");
  }
  const rng = new Rng(`linear-${seed}`);
  const [n, d] = features.xTrain.shape as [number, number];
  if (n === 0) throw new ValueError("trainLinear: the training split is empty");
  const W = param(randn([d, 10], { rng, std: config.initScale }));
  const optimizer = makeOptimizer(config.optimizer, [W], config.lr);
  const scheduler = new Scheduler(optimizer, makeSchedule(config.schedule, config.lr, config.epochs));
  const loader = new DataLoader(features.xTrain, features.yTrain, {
    batchSize: Math.min(config.batchSize, n),
    shuffle: true,
    rng,
  });
  const identity = checkpoint
    ? {
        config,
        seed,
        dataSet: featuresDataSet(features, dataDescription),
        shapes: { W: [d, 10] } as Record<string, number[]>,
      }
    : null;
  let stepLosses: number[] = [];
  let epochs: EpochRecord[] = [];
  let start = 0;
  let resumedFromEpoch: number | null = null;
  if (checkpoint && resume) {
    const saved = readLinearCheckpoint(checkpoint);
    const file = checkpointFile(checkpoint);
    if (saved === null) throw new ValueError(`no checkpoint ${file} to resume from`);
    checkSameRun(file, saved, identity!);
    if (saved.completedEpochs > config.epochs || saved.stepLosses.length !== saved.completedEpochs * loader.length) {
      throw new CheckpointFormatError(
        `${file} is not a checkpoint this version can resume: ${saved.completedEpochs} ` +
          `completed epochs of ${config.epochs} with ${saved.stepLosses.length} step losses (${loader.length} a epoch)`,
      );
    }
    restoring(file, "optimizer state", () => optimizer.loadStateDict(saved.optimizer));
    restoring(file, "schedule state", () => scheduler.loadStateDict(saved.scheduler));
    restoring(file, "data loader state", () => loader.loadStateDict(saved.loader));
    W.value.data.set(decodeArray(saved.W));
    stepLosses = saved.stepLosses;
    epochs = saved.epochs;
    start = saved.completedEpochs;
    resumedFromEpoch = start;
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
      epoch: epoch + 1,
      lr: optimizer.lr,
      meanLoss: total / steps,
      seconds: (performance.now() - epochStart) / 1000,
      valAccuracy: accuracy(features.xVal, W.value, features.yVal),
    };
    epochs.push(record);
    onEpoch?.(record);
    scheduler.step();
    if (checkpoint) {
      saveCheckpoint(checkpoint, {
        ...identity!,
        completedEpochs: epoch + 1,
        W: encodeArray(W.value.data),
        optimizer: optimizer.stateDict(),
        scheduler: scheduler.stateDict(),
        loader: loader.stateDict(),
        stepLosses,
        epochs,
      } satisfies LinearCheckpoint);
    }
    if (stopAfterEpochs !== undefined && epoch + 1 >= stopAfterEpochs) break;
  }
  return {
    W: fromData(W.value.data, W.value.shape),
    stepLosses,
    epochs,
    seconds: (performance.now() - began) / 1000,
    resumedFromEpoch,
  };
}
