// Slope's side of the peers benchmark, through its public API. The lecture's epoch: CIFAR-10's bytes kept as bytes
// (ImageFeatures, the mean image subtracted and the bias column appended a batch at a time), a shuffling DataLoader,
// and the step (linear, the loss node, l2, backward, SGD.step) wrapped in reuseBuffers. The epoch from a float32
// matrix: a batch gathered from 50,000 × 3,073 random floats each step, as a plain loop (a fresh tensor each step, no
// reuseBuffers) or with the gather inside a reused step. Shared by peers.bench.mjs; run alone it prints seconds.
import { add, l2, linear, mul, param, relu, softmaxCrossEntropy, svmLoss } from "@slope/autograd";
import { Rng, gather, randn, reuseBuffers, slice, zeros } from "@slope/core";
import { DataLoader, ImageFeatures, meanImage } from "@slope/data";
import { crossEntropy } from "@slope/nn";
import { Momentum, SGD } from "@slope/optim";
import { cifarConvnet } from "../../examples/dist/models/cifar-convnet.js";
import { lectureData } from "./cifar.mjs";

/** The lecture's regularization strength and learning rate (the float32-matrix epoch uses them too). */
const REG = 2.5e4,
  LR = 1e-7;

/**
 * The lecture's epoch over uint8 images { images, labels, count }: 195 shuffled batches of 256 (dropLast: 50,000 =
 * 195 × 256 + 80), each made into float32 features as it is gathered. Returns { epoch() → the last loss, step() → one
 * step on the loader's next batch, its loss } over one W and one loader (an epoch continues where step() left off).
 */
export function lectureEpoch({ images, labels, count }, loss = "softmax", { seed = "peers-lecture" } = {}) {
  const features = new ImageFeatures(images, count, { mean: meanImage(images, count), bias: true });
  const loader = new DataLoader(features, labels, {
    batchSize: 256,
    shuffle: true,
    rng: new Rng(seed),
    dropLast: true,
  });
  const W = param(randn([features.shape[1], 10], { rng: new Rng("W"), std: 1e-4 }));
  const sgd = new SGD([W], { lr: LR });
  const node = loss === "svm" ? svmLoss : softmaxCrossEntropy;
  const trainStep = reuseBuffers((x, y) => {
    sgd.zeroGrad();
    const value = add(node(linear(x, W), y), mul(l2(W), REG));
    value.backward();
    sgd.step();
    return value.item();
  });
  return {
    epoch() {
      let last = 0;
      for (const { x, y } of loader) last = trainStep(x, y);
      return last;
    },
    step() {
      const { x, y } = loader.next();
      return trainStep(x, y);
    },
    batchesPerEpoch: loader.length,
  };
}

/** CIFAR-shaped float32 data: N × 3073 (bias column included), labels in 0..9. */
export function makeData(n = 50_000, d = 3073, seed = "peers") {
  const rng = new Rng(seed);
  const X = randn([n, d], { rng });
  const y = Int32Array.from({ length: n }, () => rng.int(10));
  const batches = Array.from({ length: 195 }, () => Int32Array.from({ length: 256 }, () => rng.int(n)));
  return { X, y, batches };
}

/**
 * The epoch from a float32 matrix: a function that runs 195 batches of 256 random rows of X and returns the last loss.
 * `reuse: false` is the plain loop a user writes first: gather(X, idx) into a fresh tensor, the step as it is.
 * `reuse: true` gathers inside the step wrapped in reuseBuffers, where the batch becomes the step's own buffer, which
 * lives in the kernel memory from the first call: the products read it there, with no copy.
 */
export function slopeEpoch({ X, y, batches }, loss = "softmax", { reuse = true } = {}) {
  const W = param(randn([X.shape[1], 10], { rng: new Rng("W"), std: 1e-4 }));
  const sgd = new SGD([W], { lr: LR });
  const yb = new Int32Array(256);
  const node = loss === "svm" ? svmLoss : softmaxCrossEntropy;
  const plainStep = (idx) => {
    const xb = gather(X, idx);
    for (let i = 0; i < 256; i++) yb[i] = y[idx[i]];
    sgd.zeroGrad();
    const value = add(node(linear(xb, W), yb), mul(l2(W), REG));
    value.backward();
    sgd.step();
    return value.item();
  };
  const step = reuse ? reuseBuffers(plainStep) : plainStep;
  return () => {
    let last = 0;
    for (const idx of batches) last = step(idx);
    return last;
  };
}

/** Seconds per call of `run`: the median of `times` calls after one of warm-up. */
export function medianSeconds(run, times = 3) {
  run();
  const seconds = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    run();
    seconds.push((performance.now() - t) / 1000);
  }
  return seconds.sort((p, q) => p - q)[Math.floor(times / 2)];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cifar = await lectureData({ synthetic: process.argv.includes("--synthetic") });
  console.log(`the lecture's epoch on ${cifar.source}`);
  for (const loss of ["softmax", "svm"])
    console.log(`lecture epoch, ${loss}: ${medianSeconds(lectureEpoch(cifar, loss).epoch).toFixed(3)} s`);
  const data = makeData();
  for (const reuse of [false, true]) {
    for (const loss of ["softmax", "svm"]) {
      const seconds = medianSeconds(slopeEpoch(data, loss, { reuse }));
      console.log(`float32-matrix epoch, ${loss}${reuse ? ", reuseBuffers" : ", plain loop"}: ${seconds.toFixed(3)} s`);
    }
  }
}

/** One step of a two-layer net 3072 → 100 → 10 (batch 256) with plain SGD: seconds per step. */
export function slopeTwoLayerStep({ X, y, batches }, { reuse = true } = {}) {
  const rng = new Rng("two-layer");
  const W1 = param(randn([3072, 100], { rng, std: Math.sqrt(2 / 3072) }));
  const b1 = param(zeros([100]));
  const W2 = param(randn([100, 10], { rng, std: Math.sqrt(2 / 100) }));
  const b2 = param(zeros([10]));
  const sgd = new SGD([W1, b1, W2, b2], { lr: 1e-3 });
  // The batch as a training loop gets it, from a DataLoader (here over just its 256 rows, in order).
  const rows = slice(gather(X, batches[0]), [0, 0], [256, 3072]);
  const { x: xb, y: yb } = new DataLoader(
    rows,
    Int32Array.from(batches[0], (i) => y[i]),
    { batchSize: 256 },
  ).next();
  const plainStep = () => {
    sgd.zeroGrad();
    const scores = linear(relu(linear(xb, W1, b1)), W2, b2);
    add(softmaxCrossEntropy(scores, yb), mul(add(l2(W1), l2(W2)), 2e-3)).backward();
    sgd.step();
  };
  const step = reuse ? reuseBuffers(plainStep) : plainStep;
  for (let i = 0; i < 5; i++) step();
  const t = performance.now();
  for (let i = 0; i < 20; i++) step();
  return (performance.now() - t) / 20 / 1000;
}

/**
 * One training step of the `cnn` experiment's net, cifarConvnet() from the built examples package (so
 * this measures the experiment's own net), in training mode: forward on a float32 batch [64, 3, 32, 32],
 * crossEntropy on 10 classes, backward, an SGD-with-momentum step (Momentum, μ = 0.9). `reuse` wraps
 * the step in reuseBuffers. Returns { ms: milliseconds per step (median of `steps`), loss: the last one }.
 */
export function slopeConvnetStep({ reuse = true, batch = 64, warmup = 3, steps = 10 } = {}) {
  const rng = new Rng("convnet");
  const net = cifarConvnet({ rng });
  net.train();
  const x = randn([batch, 3, 32, 32], { rng });
  const y = Int32Array.from({ length: batch }, (_, i) => (i * 7) % 10);
  const optimizer = new Momentum(net.parameters(), { lr: 0.01, momentum: 0.9 });
  const plainStep = () => {
    optimizer.zeroGrad();
    const loss = crossEntropy(net.forward(x), y);
    loss.backward();
    optimizer.step();
    return loss.item();
  };
  const step = reuse ? reuseBuffers(plainStep) : plainStep;
  let loss = 0;
  for (let i = 0; i < warmup; i++) loss = step();
  const times = [];
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    loss = step();
    times.push(performance.now() - t);
  }
  return { ms: [...times].sort((p, q) => p - q)[Math.floor(steps / 2)], loss };
}
