// jax-js 0.1.25's side of the peers benchmark (wasm backend): the same softmax epoch, the step jitted.
import { defaultDevice, grad, init, jit, nn, numpy as np } from "@jax-js/jax";

export async function jaxEpoch({ X, y, batches }) {
  await init("wasm");
  defaultDevice("wasm");
  const [n, d] = X.shape;
  const Xj = np.array(X.data).reshape([n, d]);
  let W = np.array(new Float32Array(d * 10).map(() => 1e-4 * (Math.random() - 0.5))).reshape([d, 10]);
  const loss = (w, xb, onehot) => {
    const s = np.matmul(xb, w.ref);
    const data = nn.logsumexp(s.ref, 1).sub(s.mul(onehot).sum(1)).mean();
    return data.add(w.ref.mul(w).sum().mul(2.5e4));
  };
  const step = jit((w, xb, onehot) => w.ref.sub(grad(loss)(w, xb, onehot).mul(1e-7)));
  const t = performance.now();
  for (const idx of batches) {
    const rows = np.array(idx, { dtype: np.int32 });
    const xb = np.take(Xj.ref, rows, 0);
    const onehot = nn.oneHot(
      np.array(
        Int32Array.from(idx, (i) => y[i]),
        { dtype: np.int32 },
      ),
      10,
    );
    W = step(W, xb, onehot);
  }
  W.dataSync();
  return (performance.now() - t) / 1000;
}
