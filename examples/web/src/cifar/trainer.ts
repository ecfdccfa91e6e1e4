// The two models the CIFAR page trains, with Slope only: the lecture's linear softmax classifier on
// mean-subtracted pixels (bias trick), and a tiny convnet from @slope/nn. Pure: runs in the worker or Node.
import { type Rng, type Tensor, argmax, matmul, randn, reuseBuffers } from "@slope/core";
import { add, l2, linear, mul, param, softmaxCrossEntropy } from "@slope/autograd";
import { DataLoader, IMAGE_BYTES, ImageFeatures, type LabeledImages, meanImage } from "@slope/data";
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential, crossEntropy } from "@slope/nn";
import { Adam, SGD } from "@slope/optim";
import type { ModelKind } from "./protocol.js";

/** The convnet sees at most this many training images an epoch, and is checked on at most this many test images. */
export const CONVNET_TRAIN_IMAGES = 4000;
export const CONVNET_VALIDATION_IMAGES = 1000;
/** Test images shown with their predicted labels. */
export const SAMPLES = 12;

export interface TrainerOptions {
  model: ModelKind;
  lr: number;
  reg: number;
  rng: Rng;
}

/** One model, its optimizer and its loader: `step()` trains one mini-batch and returns its loss. */
export interface Trainer {
  readonly stepsPerEpoch: number;
  /** The validation images' count. */
  readonly validated: number;
  step(): number;
  /** Fraction of the validation images classified right. */
  accuracy(): number;
  /** The predicted labels of the first `count` test images. */
  predict(count: number): number[];
  /** [10, 3072] templates (linear) or null. */
  templates(): Float32Array | null;
  /** [8, 3, 5, 5] first-layer filters (convnet) or null. */
  filters(): Float32Array | null;
}

/** The indices 0..n-1 in chunks of at most `size`. */
function* chunks(n: number, size: number): Generator<number[]> {
  for (let start = 0; start < n; start += size) {
    yield Array.from({ length: Math.min(size, n - start) }, (_, i) => start + i);
  }
}

/**
 * The linear softmax classifier: s = [x − μ, 1]·W with W [3073, 10], loss
 * L = (1/N) Σᵢ −log softmax(sᵢ)_{yᵢ} + reg·‖W‖², trained by SGD with step size lr.
 */
function linearTrainer(train: LabeledImages, test: LabeledImages, { lr, reg, rng }: TrainerOptions): Trainer {
  const mean = meanImage(train.images, train.count);
  const xTrain = new ImageFeatures(train.images, train.count, { mean, bias: true });
  const xTest = new ImageFeatures(test.images, test.count, { mean, bias: true });
  const W = param(randn([3073, 10], { rng, std: 1e-4 }));
  const sgd = new SGD([W], { lr });
  const loader = new DataLoader(xTrain, train.labels, { batchSize: 128, shuffle: true, rng });
  const trainStep = reuseBuffers((): number => {
    const batch = loader.next();
    sgd.zeroGrad();
    const loss = add(softmaxCrossEntropy(linear(batch.x, W), batch.y), mul(l2(W), reg));
    loss.backward();
    sgd.step();
    return loss.item();
  });
  const predictRows = (rows: number[]): ArrayLike<number> => argmax(matmul(xTest.gather(rows), W.value), 1).data;
  return {
    stepsPerEpoch: loader.length,
    validated: test.count,
    step: trainStep,
    accuracy() {
      let correct = 0;
      for (const rows of chunks(test.count, 500)) {
        const guess = predictRows(rows);
        rows.forEach((r, i) => {
          if (guess[i] === test.labels[r]) correct++;
        });
      }
      return correct / Math.max(1, test.count);
    },
    predict(count) {
      return Array.from(predictRows([...chunks(Math.min(count, test.count), count)][0] ?? []));
    },
    templates() {
      const out = new Float32Array(10 * IMAGE_BYTES);
      const w = W.value.data;
      for (let k = 0; k < 10; k++) for (let i = 0; i < IMAGE_BYTES; i++) out[k * IMAGE_BYTES + i] = w[i * 10 + k]!;
      return out;
    },
    filters: () => null,
  };
}

/**
 * A tiny convnet: Conv2d(3, 8, 5) → ReLU → MaxPool2d(2) → Flatten → Linear(8·14·14, 10) on
 * (x − μ)/64, cross-entropy loss, Adam with step size lr and weight decay reg (g += reg·θ).
 */
function convnetTrainer(train: LabeledImages, test: LabeledImages, { lr, reg, rng }: TrainerOptions): Trainer {
  const mean = meanImage(train.images, train.count);
  const trainCount = Math.min(train.count, CONVNET_TRAIN_IMAGES);
  const testCount = Math.min(test.count, CONVNET_VALIDATION_IMAGES);
  const xTrain = new ImageFeatures(train.images.subarray(0, trainCount * IMAGE_BYTES), trainCount, {
    mean,
    scale: 64,
    layout: "nchw",
  });
  const xTest = new ImageFeatures(test.images, test.count, { mean, scale: 64, layout: "nchw" });
  const conv = new Conv2d(3, 8, 5, { rng });
  const net = new Sequential(conv, new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(8 * 14 * 14, 10, { rng }));
  const adam = new Adam(net.parameters(), { lr, weightDecay: reg });
  const loader = new DataLoader(xTrain, train.labels.subarray(0, trainCount), { batchSize: 64, shuffle: true, rng });
  const trainStep = reuseBuffers((): number => {
    const batch = loader.next();
    adam.zeroGrad();
    const loss = crossEntropy(net.forward(batch.x), batch.y);
    loss.backward();
    adam.step();
    return loss.item();
  });
  const predictRows = (rows: number[]): ArrayLike<number> =>
    argmax((net.forward(xTest.gather(rows)) as { value: Tensor }).value, 1).data;
  return {
    stepsPerEpoch: loader.length,
    validated: testCount,
    step: trainStep,
    accuracy() {
      let correct = 0;
      for (const rows of chunks(testCount, 250)) {
        const guess = predictRows(rows);
        rows.forEach((r, i) => {
          if (guess[i] === test.labels[r]) correct++;
        });
      }
      return correct / Math.max(1, testCount);
    },
    predict(count) {
      return Array.from(predictRows([...chunks(Math.min(count, test.count), count)][0] ?? []));
    },
    templates: () => null,
    filters: () => Float32Array.from(conv.weight.value.data),
  };
}

/** The trainer of `options.model` on these images. */
export function makeTrainer(train: LabeledImages, test: LabeledImages, options: TrainerOptions): Trainer {
  return options.model === "convnet" ? convnetTrainer(train, test, options) : linearTrainer(train, test, options);
}
