// One epoch of mini-batch SGD for a linear classifier through Slope's public API: gather a batch,
// linear, the loss node, l2, backward, SGD.step, the step wrapped in reuseBuffers (pass
// { reuse: false } for fresh buffers every step). Shared by peers.bench.mjs; run alone it prints seconds.
import { add, l2, linear, mul, param, relu, softmaxCrossEntropy, svmLoss } from "@slope/autograd";
import { Rng, gather, randn, reuseBuffers, slice, zeros } from "@slope/core";
import { DataLoader } from "@slope/data";
import { crossEntropy } from "@slope/nn";
import { Momentum, SGD } from "@slope/optim";
import { cifarConvnet } from "../../examples/dist/models/cifar-convnet.js";

/** CIFAR-shaped float32 data: N × 3073 (bias column included), labels in 0..9. */
export function makeData(n = 50_000, d = 3073, seed = "peers") {
  const rng = new Rng(seed);
  const X = randn([n, d], { rng });
  const y = Int32Array.from({ length: n }, () => rng.int(10));
  const batches = Array.from({ length: 195 }, () => Int32Array.from({ length: 256 }, () => rng.int(n)));
  return { X, y, batches };
}

/** Returns a function that runs one epoch (195 batches of 256) and returns the last loss. */
export function slopeEpoch({ X, y, batches }, loss = "softmax", { reuse = true } = {}) {
  const W = param(randn([X.shape[1], 10], { rng: new Rng("W"), std: 1e-4 }));
  const sgd = new SGD([W], { lr: 1e-7 });
  const yb = new Int32Array(256);
  const node = loss === "svm" ? svmLoss : softmaxCrossEntropy;
  // Inside reuseBuffers the batch is the step's own buffer, which lives in the kernels' memory once
  // the step is steady: the products read it there, with no copy. Without it, one batch buffer is
  // kept outside the step and gathered into (the best a loop without reuse can do).
  const batch = reuse ? null : zeros([256, X.shape[1]]);
  const plainStep = (idx) => {
    const xb = batch === null ? gather(X, idx) : gather(X, idx, { out: batch });
    for (let i = 0; i < 256; i++) yb[i] = y[idx[i]];
    sgd.zeroGrad();
    const value = add(node(linear(xb, W), yb), mul(l2(W), 2.5e4));
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

if (import.meta.url === `file://${process.argv[1]}`) {
  const data = makeData();
  for (const reuse of [true, false]) {
    for (const loss of ["softmax", "svm"]) {
      const epoch = slopeEpoch(data, loss, { reuse });
      epoch();
      const t = performance.now();
      for (let i = 0; i < 3; i++) epoch();
      console.log(
        `${loss}${reuse ? "" : " (fresh buffers)"}: ${((performance.now() - t) / 3000).toFixed(3)} s per epoch`,
      );
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
