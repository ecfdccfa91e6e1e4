// Forward and backward of the lecture's linear classifier on a 256×3073 float32 batch, W 3073×10:
// linear → softmaxCrossEntropy and linear → svmLoss. Backward should cost at most 2.5× the forward.
import b from "benny";
import { linear, param, softmaxCrossEntropy, svmLoss } from "@slope/autograd";
import { Rng, randn } from "@slope/core";

const rng = new Rng("bench-autograd");
const X = randn([256, 3073], { rng });
const labels = Int32Array.from({ length: 256 }, () => rng.int(10));
const W = param(randn([3073, 10], { rng, std: 1e-4 }));
const losses = { softmax: softmaxCrossEntropy, svm: svmLoss };

const rows = [];
for (const [name, loss] of Object.entries(losses)) {
  const ops = {};
  await b.suite(
    `linear → ${name}, batch 256×3073, W 3073×10, float32`,
    b.add("forward", () => {
      loss(linear(X, W), labels);
    }),
    b.add("forward + backward", () => {
      W.zeroGrad();
      loss(linear(X, W), labels).backward();
    }),
    b.cycle(),
    b.complete((summary) => {
      for (const r of summary.results) ops[r.name] = r.ops;
    }),
  );
  const forward = 1000 / ops.forward;
  const both = 1000 / ops["forward + backward"];
  rows.push({
    loss: name,
    "forward ms": +forward.toFixed(3),
    "backward ms": +(both - forward).toFixed(3),
    "backward / forward": +((both - forward) / forward).toFixed(2),
  });
}
console.log(`\nautograd, Node ${process.version}`);
console.table(rows);
