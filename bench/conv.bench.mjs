// `pnpm --filter @slope/bench conv` (or `node bench/conv.bench.mjs [--threads 2]`, after `npx tsc -b`): the
// convolutions of the `cnn` experiment's net (cifarConvnet's Conv2d layers, batch 64 of 3×32×32 images, each
// stage at half the size of the one before: 32², 16², 8²), float32: the forward product y = conv2d(x, w) and
// both backward products, ∂x = conv2dBackwardInput(∂y, w) and ∂w = conv2dBackwardWeight(x, ∂y), of @slope/core,
// each into a reused output (inside reuseBuffers, the steady state of a training step). GFLOP/s count
// 2·N·out·in·kh·kw·H·W flops a product (each of the three has that many multiply-adds). Beside them PyTorch's
// same three products on as many threads (torch.nn.functional.conv2d, torch.nn.grad.conv2d_input/_weight),
// when a python3 here can import torch.
import b from "benny";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { Rng, conv2d, conv2dBackwardInput, conv2dBackwardWeight, randn, reuseBuffers } from "@slope/core";
import { disableThreads, enableThreads } from "@slope/core/node";
import { Conv2d } from "@slope/nn";
import { cifarConvnet } from "../examples/dist/models/cifar-convnet.js";

const threadsArg = process.argv.indexOf("--threads");
const threads = threadsArg >= 0 ? Number(process.argv[threadsArg + 1]) : 1;
if (threads > 1) await enableThreads({ threads });
const batch = 64;
const layers = cifarConvnet()
  .modules()
  .filter((m) => m instanceof Conv2d)
  .map((conv, i) => ({
    name: `conv${i} ${conv.inChannels}→${conv.outChannels} @${32 >> i}²`,
    weightShape: [conv.outChannels, conv.inChannels, ...conv.kernelSize],
    inputShape: [batch, conv.inChannels, 32 >> i, 32 >> i],
    padding: conv.padding,
  }));

const rng = new Rng("bench-conv");
const rows = [];
for (const layer of layers) {
  const { weightShape, inputShape, padding } = layer;
  const x = randn(inputShape, { rng }),
    w = randn(weightShape, { rng });
  const g = randn(conv2d(x, w, null, { padding }).shape, { rng });
  const [n, , h, wd] = inputShape;
  const flops = 2 * n * weightShape.reduce((p, q) => p * q, 1) * h * wd;
  const products = {
    "forward y = x ⋆ w": reuseBuffers(() => {
      conv2d(x, w, null, { padding });
    }),
    "backward ∂x": reuseBuffers(() => {
      conv2dBackwardInput(g, w, inputShape, { padding });
    }),
    "backward ∂w": reuseBuffers(() => {
      conv2dBackwardWeight(x, g, weightShape, { padding });
    }),
  };
  const row = { layer: layer.name };
  await b.suite(
    layer.name,
    ...Object.entries(products).map(([name, run]) => b.add(name, run, { maxTime: 2 })),
    b.complete((summary) => {
      for (const r of summary.results) row[r.name] = +((r.ops * flops) / 1e9).toFixed(2);
    }),
  );
  rows.push(row);
}
if (threads > 1) disableThreads();

// PyTorch's three products at the same shapes (python3 on the PATH, or Debian's with python3-torch).
const python = [process.env.TORCH_PYTHON, "python3", "/usr/bin/python3"].find(
  (p) => p && spawnSync(p, ["-c", "import torch"]).status === 0,
);
if (python) {
  const env = { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
  const script = join(import.meta.dirname, "peers", "torch_conv.py");
  const run = spawnSync(python, [script, String(threads), JSON.stringify(layers)], { env, encoding: "utf8" });
  if (run.status === 0) {
    const torch = JSON.parse(run.stdout);
    for (const [i, row] of rows.entries()) {
      for (const [key, value] of Object.entries(torch.layers[i])) {
        row[`torch ${key.split(" ")[1]}`] = +value.toFixed(2);
      }
    }
    console.log(`\nPyTorch ${torch.torch} beside Slope (torch ∂x, ∂w: its backward products)`);
  } else console.log(`PyTorch skipped: ${(run.stderr || "").trim().split("\n").pop()}`);
} else console.log("PyTorch skipped: no python3 here can import torch");
const threadsName = `${threads} thread${threads > 1 ? "s" : ""}`;
console.log(`\nfloat32 convolution, batch ${batch}, 3×3, GFLOP/s, ${threadsName}, Node ${process.version}`);
console.table(rows);
