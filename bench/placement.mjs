// Where a steady training step's kernels run and how many bytes they copy between the JavaScript heap and a
// WebAssembly memory (`tracePlacement` of @slope/core), for the lecture's linear softmax step (a DataLoader batch of
// 256 × 3073, W 3073 × 10, L2, SGD), a two-layer step (3073 → 100 → 10, Adam) and the `cnn` experiment's convnet
// step (batch 64, Momentum), each in `reuseBuffers` after 5 warm-up calls, on one thread and on two. Issue #16's
// target is 0 bytes per steady step. Run: npx tsc -b && node bench/placement.mjs
import { add, l2, linear, mul, param, relu, softmaxCrossEntropy } from "@slope/autograd";
import { Rng, randn, reuseBuffers, tracePlacement, zeros } from "@slope/core";
import { disableThreads, enableThreads } from "@slope/core/node";
import { DataLoader } from "@slope/data";
import { crossEntropy } from "@slope/nn";
import { Adam, Momentum, SGD } from "@slope/optim";
import { cifarConvnet } from "../examples/dist/models/cifar-convnet.js";

const rng = new Rng("placement-bench");
const X = randn([2048, 3073], { rng });
const Y = Int32Array.from({ length: 2048 }, () => rng.int(10));

function linearSoftmaxStep() {
  const W = param(randn([3073, 10], { rng, std: 1e-3 }));
  const optimizer = new SGD([W], { lr: 1e-7 });
  const loader = new DataLoader(X, Y, { batchSize: 256, shuffle: true, rng: new Rng(1) });
  return () => {
    const { x, y } = loader.next();
    optimizer.zeroGrad();
    const loss = add(softmaxCrossEntropy(linear(x, W), y), mul(l2(W), 2.5e4));
    loss.backward();
    optimizer.step();
    return loss.item();
  };
}

function twoLayerStep() {
  const W1 = param(randn([3073, 100], { rng, std: 1e-3 })),
    b1 = param(zeros([100]));
  const W2 = param(randn([100, 10], { rng, std: 1e-3 })),
    b2 = param(zeros([10]));
  const optimizer = new Adam([W1, b1, W2, b2], { lr: 1e-3 });
  const loader = new DataLoader(X, Y, { batchSize: 256, shuffle: true, rng: new Rng(2) });
  return () => {
    const { x, y } = loader.next();
    optimizer.zeroGrad();
    const loss = softmaxCrossEntropy(linear(relu(linear(x, W1, b1)), W2, b2), y);
    loss.backward();
    optimizer.step();
    return loss.item();
  };
}

function convnetStep() {
  const net = cifarConvnet({ rng: new Rng("convnet") });
  net.train();
  // Batches of 64 images from a DataLoader, as the experiment gets them.
  const images = randn([640, 3, 32, 32], { rng });
  const labels = Int32Array.from({ length: 640 }, (_, i) => (i * 7) % 10);
  const loader = new DataLoader(images, labels, { batchSize: 64, shuffle: true, rng: new Rng(3) });
  const optimizer = new Momentum(net.parameters(), { lr: 0.01, momentum: 0.9 });
  return () => {
    const { x, y } = loader.next();
    optimizer.zeroGrad();
    const loss = crossEntropy(net.forward(x), y);
    loss.backward();
    optimizer.step();
    return loss.item();
  };
}

/** One steady call's trace: total bytes, and bytes and calls per op and place. */
function steadyTrace(make) {
  const step = reuseBuffers(make());
  for (let i = 0; i < 5; i++) step();
  const { ops, bytesCopied } = tracePlacement(() => step());
  const byOp = new Map();
  for (const { op, place, bytesCopied: bytes } of ops) {
    const key = `${op} @ ${place}`;
    const seen = byOp.get(key) ?? { calls: 0, bytes: 0 };
    byOp.set(key, { calls: seen.calls + 1, bytes: seen.bytes + bytes });
  }
  return { bytesCopied, calls: ops.length, byOp };
}

const workloads = [
  ["linear softmax (256 × 3073, SGD)", linearSoftmaxStep],
  ["two-layer 3073→100→10 (Adam)", twoLayerStep],
  ["convnet (the cnn experiment's, batch 64, Momentum)", convnetStep],
];
for (const threads of [1, 2]) {
  if (threads > 1) await enableThreads({ threads });
  for (const [name, make] of workloads) {
    const { bytesCopied, calls, byOp } = steadyTrace(make);
    console.log(
      `\n${name}, ${threads} thread${threads > 1 ? "s" : ""}: ${bytesCopied.toLocaleString("en")} bytes copied in ${calls} kernel calls (target 0)`,
    );
    const rows = [...byOp].filter(([, v]) => v.bytes > 0).sort((p, q) => q[1].bytes - p[1].bytes);
    for (const [key, { calls: n, bytes }] of rows)
      console.log(
        `  ${key.padEnd(44)} ${String(n).padStart(3)} calls ${bytes.toLocaleString("en").padStart(12)} bytes`,
      );
  }
  if (threads > 1) disableThreads();
}
