// TensorFlow.js 4.22's side of the peers benchmark: the same epoch (gather, X·W, loss, the analytic
// gradient as numpy's side computes it, update) on the cpu or the wasm backend. tfjs-core's Node
// build registers no gradients (those come with the full @tensorflow/tfjs), so the gradient is
// written out: dW = xbᵀ·(p − onehot)/B + 2·reg·W for softmax, the hinge's indicator matrix for SVM.
import { dirname, join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const tf = require("@tensorflow/tfjs-core");
require("@tensorflow/tfjs-backend-cpu");
const { setWasmPaths } = require("@tensorflow/tfjs-backend-wasm");
setWasmPaths(join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm")), "/"));

export async function tfjsEpoch({ X, y, batches }, backend, lossName) {
  await tf.setBackend(backend);
  await tf.ready();
  const [n, d] = X.shape;
  const Xt = tf.tensor2d(X.data, [n, d]);
  const labels = tf.tensor1d(y, "int32");
  const W = tf.variable(tf.randomNormal([d, 10], 0, 1e-4));
  const B = batches[0].length;
  const epoch = () => {
    for (const idx of batches) {
      tf.tidy(() => {
        const rows = tf.tensor1d(idx, "int32");
        const xb = tf.gather(Xt, rows);
        const onehot = tf.cast(tf.oneHot(tf.gather(labels, rows), 10), "float32");
        const s = tf.matMul(xb, W);
        let dS;
        if (lossName === "svm") {
          const correct = tf.sum(tf.mul(s, onehot), 1, true);
          const positive = tf.mul(tf.cast(tf.greater(tf.add(tf.sub(s, correct), 1), 0), "float32"), tf.sub(1, onehot));
          dS = tf.sub(positive, tf.mul(onehot, tf.sum(positive, 1, true)));
        } else {
          dS = tf.sub(tf.softmax(s), onehot);
        }
        const dW = tf.add(tf.div(tf.matMul(xb, dS, true, false), B), tf.mul(W, 2 * 2.5e4));
        W.assign(tf.sub(W, tf.mul(dW, 1e-7)));
      });
    }
    W.dataSync();
  };
  const t = performance.now();
  epoch();
  const seconds = (performance.now() - t) / 1000;
  tf.dispose([Xt, labels, W]);
  return seconds;
}

/**
 * One training step of the `cnn` experiment's net (examples/src/models/cifar-convnet.ts) in TensorFlow.js,
 * in its own layout (NHWC, filters [kh, kw, in, out]): three blocks of conv 3×3 (padding "same", no bias)
 * → batch norm in training mode (batch statistics, biased variance; running statistics updated with the
 * unbiased one, momentum 0.1) → relu → 2×2 max pool, then flatten → dense → softmax cross-entropy, and SGD
 * with momentum 0.9 (tf.train.momentum: v = μv + g, w −= lr·v, PyTorch's form).
 * tfjs-core's Node build registers no gradients, and the wasm backend has no Conv2DBackpropFilter kernel
 * at all (so even the full @tensorflow/tfjs could not take tf.grad of a conv2d there): the backward pass is
 * written out with the backend's kernels — softmax − onehot, the dense products, MaxPoolGrad, relu's mask,
 * batch norm's fused gradient, conv2dTranspose (Conv2DBackpropInput) for ∂x, and ∂w as one product of the
 * input's 3×3 patches (9 shifted slices of the padded input, concatenated) with ∂y: im2col onto matMul, as
 * TensorFlow's own CPU kernel computes it. As in autograd, the image gets no gradient.
 * Returns { ms: milliseconds per step (median of `steps`), loss: the last step's loss, simd, threads }.
 */
export async function tfjsConvnetStep(backend = "wasm", options = {}) {
  const { batch = 64, widths = [32, 64, 128], warmup = 3, steps = 10, lr = 0.01 } = options;
  await tf.setBackend(backend);
  await tf.ready();
  const eps = 1e-5,
    bnMomentum = 0.1;
  const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, "float32", 1);
  const classes = tf.tensor1d(
    Int32Array.from({ length: batch }, (_, i) => (i * 7) % 10),
    "int32",
  );
  const labels = tf.cast(tf.oneHot(classes, 10), "float32");
  classes.dispose();
  const blocks = [];
  let inChannels = 3;
  for (const [i, outChannels] of widths.entries()) {
    const bound = 1 / Math.sqrt(9 * inChannels);
    blocks.push({
      w: tf.variable(tf.randomUniform([3, 3, inChannels, outChannels], -bound, bound), true, `w${i}`),
      gamma: tf.variable(tf.ones([outChannels]), true, `gamma${i}`),
      beta: tf.variable(tf.zeros([outChannels]), true, `beta${i}`),
      runningMean: tf.variable(tf.zeros([outChannels]), false),
      runningVar: tf.variable(tf.ones([outChannels]), false),
    });
    inChannels = outChannels;
  }
  const features = 16 * widths[2];
  const W = tf.variable(tf.randomUniform([features, 10], -1 / Math.sqrt(features), 1 / Math.sqrt(features)), true, "W");
  const b = tf.variable(tf.zeros([10]), true, "b");
  const optimizer = tf.train.momentum(lr, 0.9);
  const axes = [0, 1, 2];

  const step = () => {
    const { loss, grads } = tf.tidy(() => {
      const saved = [];
      let h = x;
      for (const block of blocks) {
        const z = tf.conv2d(h, block.w, 1, "same");
        const { mean, variance } = tf.moments(z, axes);
        const count = z.size / z.shape[3];
        block.runningMean.assign(tf.add(tf.mul(block.runningMean, 1 - bnMomentum), tf.mul(mean, bnMomentum)));
        const unbiased = tf.mul(variance, count / (count - 1));
        block.runningVar.assign(tf.add(tf.mul(block.runningVar, 1 - bnMomentum), tf.mul(unbiased, bnMomentum)));
        const inv = tf.rsqrt(tf.add(variance, eps));
        const xhat = tf.mul(tf.sub(z, mean), inv);
        const a = tf.relu(tf.add(tf.mul(xhat, block.gamma), block.beta));
        const p = tf.maxPool(a, 2, 2, "valid");
        saved.push({ input: h, inv, xhat, a, p });
        h = p;
      }
      const flat = tf.reshape(h, [batch, features]);
      const logits = tf.add(tf.matMul(flat, W), b);
      const loss = tf.losses.softmaxCrossEntropy(labels, logits);
      // Backward.
      const grads = {};
      const dLogits = tf.div(tf.sub(tf.softmax(logits), labels), batch);
      grads.W = tf.matMul(flat, dLogits, true, false);
      grads.b = tf.sum(dLogits, 0);
      let g = tf.reshape(tf.matMul(dLogits, W, false, true), h.shape);
      for (let i = blocks.length - 1; i >= 0; i--) {
        const { w, gamma } = blocks[i];
        const { input, inv, xhat, a, p } = saved[i];
        const pool = { filterSize: [2, 2], strides: [2, 2], pad: "valid" };
        g = tf.engine().runKernel("MaxPoolGrad", { dy: g, input: a, output: p }, pool);
        g = tf.mul(g, tf.step(a));
        grads[`gamma${i}`] = tf.sum(tf.mul(g, xhat), axes);
        grads[`beta${i}`] = tf.sum(g, axes);
        const dxhat = tf.mul(g, gamma);
        const projection = tf.mul(xhat, tf.mean(tf.mul(dxhat, xhat), axes));
        const dz = tf.mul(inv, tf.sub(tf.sub(dxhat, tf.mean(dxhat, axes)), projection));
        grads[`w${i}`] = convFilterGradient(input, dz, w.shape);
        if (i > 0) g = tf.conv2dTranspose(dz, w, input.shape, 1, "same");
      }
      return { loss, grads };
    });
    optimizer.applyGradients(grads);
    tf.dispose(grads);
    const value = loss.dataSync()[0];
    loss.dispose();
    return value;
  };
  let loss = 0;
  for (let i = 0; i < warmup; i++) loss = step();
  const times = [];
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    loss = step();
    times.push(performance.now() - t);
  }
  const simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT");
  const threads = backend === "wasm" && tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT");
  tf.dispose([x, labels, W, b, ...blocks.flatMap((block) => Object.values(block))]);
  optimizer.dispose();
  return { ms: [...times].sort((p, q) => p - q)[Math.floor(steps / 2)], loss, simd, threads };
}

/** ∂w [3, 3, in, out] of a 3×3 "same" convolution of x [N, H, W, in], given ∂y [N, H, W, out]: patchesᵀ·∂y. */
function convFilterGradient(x, dy, filterShape) {
  const [n, height, width, channels] = x.shape;
  const padded = tf.pad(x, [
    [0, 0],
    [1, 1],
    [1, 1],
    [0, 0],
  ]);
  const shifts = [];
  for (let p = 0; p < 3; p++) {
    for (let q = 0; q < 3; q++) shifts.push(tf.slice(padded, [0, p, q, 0], [n, height, width, channels]));
  }
  const patches = tf.reshape(tf.concat(shifts, 3), [n * height * width, 9 * channels]);
  return tf.reshape(tf.matMul(patches, tf.reshape(dy, [n * height * width, dy.shape[3]]), true, false), filterShape);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const backend of ["wasm"]) console.log(backend, await tfjsConvnetStep(backend));
}
