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
