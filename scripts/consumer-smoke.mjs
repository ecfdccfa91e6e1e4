// Runs in an empty project that installed the packed tarballs with npm: each package must import and compute.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as core from "@slope/core";
import * as autograd from "@slope/autograd";
import * as optim from "@slope/optim";
import * as data from "@slope/data";
import * as nn from "@slope/nn";
import * as dataNode from "@slope/data/node";
import * as coreNode from "@slope/core/node";
import * as coreBrowser from "@slope/core/browser";
import * as coreInternal from "@slope/core/internal";

const product = core.matmul(
  core.tensor([
    [1, 2],
    [3, 4],
  ]),
  core.eye(2),
);
assert.deepEqual(product.toArray(), [
  [1, 2],
  [3, 4],
]);
assert.equal(new core.Rng(1).uniform(), new core.Rng(1).uniform());
for (const [name, module] of Object.entries({ autograd, optim, data, nn })) {
  assert.equal(typeof module, "object", `@slope/${name} imports`);
}
{
  const W = autograd.param(
    core.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: "float64" },
    ),
  );
  autograd.l2(W).backward();
  assert.ok(W.grad, "backward fills a parameter's grad");
  assert.deepEqual(W.grad.toArray(), [
    [2, 4],
    [6, 8],
  ]);
}
{
  const p = { value: core.tensor([1], { dtype: "float64" }), grad: core.tensor([0.5], { dtype: "float64" }) };
  new optim.SGD([p], { lr: 0.1 }).step();
  assert.equal(p.value.data[0], 0.95);
}
assert.deepEqual([...new data.SequentialSampler(3)], [0, 1, 2]);
{
  // @slope/nn: a Linear layer's forward, then its state dict through the safetensors bytes into a fresh layer.
  const layer = new nn.Linear(2, 2);
  layer.loadStateDict({
    weight: core.tensor([
      [1, 2],
      [3, 4],
    ]),
    bias: core.tensor([0.5, -0.5]),
  });
  const x = core.tensor([[1, 1]]);
  assert.deepEqual(layer.forward(x).value.toArray(), [[3.5, 6.5]]);
  const bytes = nn.saveSafetensors(layer, { from: "consumer" });
  assert.deepEqual(nn.safetensorsMetadata(bytes), { from: "consumer" });
  const fresh = new nn.Linear(2, 2);
  fresh.loadStateDict(nn.loadSafetensors(bytes));
  assert.deepEqual(fresh.forward(x).value.toArray(), [[3.5, 6.5]]);
  assert.deepEqual(Object.keys(fresh.stateDict()), ["weight", "bias"]);
  assert.throws(() => fresh.loadStateDict({ weight: core.zeros([3, 2]) }), nn.StateDictError);
  nn.crossEntropy(fresh.forward(x), [1]).backward(); // dW[i][j] = (p_i − onehot_i)·x_j sums to 0 over classes i
  assert.ok(fresh.weight.grad, "backward fills the layer's weight grad");
  assert.deepEqual(fresh.weight.grad.shape, [2, 2]);
  assert.ok(Math.abs(fresh.weight.grad.data[0] + fresh.weight.grad.data[2]) < 1e-7);
}
// The main entry is the user's API; the plumbing is on @slope/core/internal, and every subpath shares one
// registry of kernels: the threads /node turns on are the ones the ops (and /internal) see.
assert.equal("kernels" in core, false, "@slope/core's main entry does not export kernels()");
assert.equal(typeof coreInternal.kernels, "function", "@slope/core/internal exports kernels()");
await coreNode.enableThreads({ threads: 2 });
assert.match(coreInternal.kernels().name, /2 threads/, "the threaded kernels are the active ones for every entry");
assert.deepEqual(
  core.matmul(core.ones([64, 128]), core.ones([128, 200])).data.slice(0, 2),
  new Float32Array([128, 128]),
);
coreNode.disableThreads();
await assert.rejects(
  coreBrowser.enableThreads(),
  /cross-origin isolated/,
  "@slope/core/browser imports in Node and explains itself",
);
{
  const step = core.reuseBuffers(() => core.sum(core.mul(core.ones([5000]), 2)).item());
  assert.equal(step(), 10000);
  assert.equal(step(), 10000);
  assert.equal(step.stats.misses, 0);
}
assert.equal(typeof dataNode.loadCifar10, "function", "@slope/data/node exports loadCifar10");
assert.throws(() => dataNode.loadCifar10("/nonexistent-slope-folder"), /does not exist/);
console.log(
  `consumer: imported ${Object.keys({ core, autograd, nn, optim, data })
    .map((n) => `@slope/${n}`)
    .join(", ")}`,
);
{
  // The release runs this under --enable-source-maps: through the shipped maps a library error's stack names
  // the TypeScript line that threw, in the installed package's src/ (where a debugger steps too).
  let error;
  try {
    core.reshape(core.zeros([2, 3]), [-1, -1]);
  } catch (caught) {
    error = caught;
  }
  assert.ok(error instanceof core.ShapeError, "reshape to two inferred dimensions throws a ShapeError");
  assert.ok(error.stack);
  const frames = error.stack.split("\n").filter((line) => /^\s+at /.test(line));
  const frame = frames
    .map((line) => /\((?:file:\/\/)?(\/[^()]*\/node_modules\/@slope\/core\/src\/[^()]+\.ts):(\d+):\d+\)/.exec(line))
    .find((match) => match && !match[1].endsWith("/errors.ts"));
  assert.ok(frame, `a frame in @slope/core's src/ (run with --enable-source-maps?):\n${frames.join("\n")}`);
  const line = readFileSync(frame[1], "utf8").split("\n")[Number(frame[2]) - 1];
  assert.match(line, /throw new ShapeError/, `${frame[1]}:${frame[2]} is the line that throws`);
  console.log(
    `consumer: a ShapeError's stack maps to ${frame[1].slice(frame[1].indexOf("node_modules/"))}:${frame[2]}`,
  );
}
