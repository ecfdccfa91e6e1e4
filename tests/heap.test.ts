// A graph is garbage once a training step is over: 1,000 steps of linear → softmax → backward →
// update leave the heap where it was (no graph kept alive by a parameter, a cache or a closure).
import { linear, param, softmaxCrossEntropy, l2, add, mul } from "@slope/autograd";
import { Rng, randn, sub } from "@slope/core";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { expect, it } from "vitest";

setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

function heapAfterCollection(): number {
  for (let i = 0; i < 3; i++) collectGarbage();
  return process.memoryUsage().heapUsed;
}

it("1,000 training steps leave the heap flat", () => {
  const rng = new Rng(0);
  const X = randn([64, 300], { rng });
  const y = Int32Array.from({ length: 64 }, () => rng.int(10));
  const W = param(randn([300, 10], { rng, std: 1e-3 }));
  const b = param(randn([10], { rng, std: 1e-3 }));
  const step = () => {
    const loss = add(softmaxCrossEntropy(linear(X, W, b), y), mul(l2(W), 1e-3));
    loss.backward();
    W.value.data.set(sub(W.value, mul(W.grad!, 1e-2).value).data);
    b.value.data.set(sub(b.value, mul(b.grad!, 1e-2).value).data);
    W.zeroGrad();
    b.zeroGrad();
  };
  for (let i = 0; i < 100; i++) step(); // warm up the JIT and the kernels' scratch buffers
  const before = heapAfterCollection();
  for (let i = 0; i < 1000; i++) step();
  const after = heapAfterCollection();
  // One step's graph holds ~60 KB of tensors; a leak of the graphs would grow the heap by ~60 MB.
  expect(after - before).toBeLessThan(2 * 1024 * 1024);
});
