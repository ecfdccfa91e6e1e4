// TensorFlow.js 4.22's side of the peers benchmark: the same epoch (gather, X·W, loss, gradient by
// tf.grad, update) on the cpu or the wasm backend.
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

const require = createRequire(import.meta.url);
setWasmPaths(join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm")), "/"));

export async function tfjsEpoch({ X, y, batches }, backend, lossName) {
  await tf.setBackend(backend);
  await tf.ready();
  const [n, d] = X.shape;
  const Xt = tf.tensor2d(X.data, [n, d]);
  const labels = tf.tensor1d(y, "int32");
  const W = tf.variable(tf.randomNormal([d, 10], 0, 1e-4));
  const lossOf = (w, xb, onehot) => {
    const s = tf.matMul(xb, w);
    const data = lossName === "svm"
      ? tf.mean(tf.sum(tf.mul(tf.relu(tf.add(tf.sub(s, tf.sum(tf.mul(s, onehot), 1, true)), 1)), tf.sub(1, onehot)), 1))
      : tf.mean(tf.sub(tf.logSumExp(s, 1), tf.sum(tf.mul(s, onehot), 1)));
    return tf.add(data, tf.mul(2.5e4, tf.sum(tf.square(w))));
  };
  const epoch = () => {
    for (const idx of batches) {
      tf.tidy(() => {
        const rows = tf.tensor1d(idx, "int32");
        const xb = tf.gather(Xt, rows);
        const onehot = tf.cast(tf.oneHot(tf.gather(labels, rows), 10), "float32");
        const g = tf.grad((w) => lossOf(w, xb, onehot))(W);
        W.assign(tf.sub(W, tf.mul(g, 1e-7)));
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
