// Writes the graph of the lecture's full softmax loss, softmaxCrossEntropy(linear(x, W, b), y) + reg·l2(W),
// in Graphviz's dot language (render it with `dot -Tsvg`). The README's picture comes from this.
import { add, constant, l2, linear, mul, param, softmaxCrossEntropy, toDot } from "@slope/autograd";
import { Rng, randn, zeros } from "@slope/core";

const rng = new Rng(0);
const x = constant(randn([256, 3073], { rng }));
const W = param(randn([3073, 10], { rng, std: 1e-4 }));
const b = param(zeros([10]));
const reg = 2.5e-4;
const scores = linear(x, W, b);
const data = softmaxCrossEntropy(
  scores,
  Int32Array.from({ length: 256 }, () => rng.int(10)),
);
const penalty = mul(l2(W), reg);
const loss = add(data, penalty);
const labels = new Map([
  [x, "x"],
  [W, "W"],
  [b, "b"],
  [scores, "scores"],
  [data, "data loss"],
  [penalty, "reg·l2(W)"],
  [loss, "loss"],
]);
process.stdout.write(toDot(loss, { labels }));
