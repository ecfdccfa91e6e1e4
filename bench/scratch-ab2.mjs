import { add, l2, linear, mul, param, relu, softmaxCrossEntropy } from "@slope/autograd";
import { Rng, gather, randn, reuseBuffers, slice, zeros, residentArray, fromData } from "@slope/core";
import { SGD } from "@slope/optim";
import { makeData } from "./peers/slope.mjs";
const data = makeData(5000);
function make(residentBatch) {
  const { X, y, batches } = data;
  const rng = new Rng("two-layer");
  const W1 = param(randn([3072, 100], { rng, std: Math.sqrt(2 / 3072) })), b1 = param(zeros([100]));
  const W2 = param(randn([100, 10], { rng, std: Math.sqrt(2 / 100) })), b2 = param(zeros([10]));
  const sgd = new SGD([W1, b1, W2, b2], { lr: 1e-3 });
  let xb = slice(gather(X, batches[0]), [0, 0], [256, 3072]);
  if (residentBatch) { const r = residentArray("float32", xb.size); r.set(xb.data); xb = fromData(r, xb.shape); }
  const yb = Int32Array.from(batches[0], (i) => y[i]);
  const plain = () => { sgd.zeroGrad(); const s = linear(relu(linear(xb, W1, b1)), W2, b2); const l = add(softmaxCrossEntropy(s, yb), mul(add(l2(W1), l2(W2)), 2e-3)); l.backward(); sgd.step(); return l.item(); };
  return reuseBuffers(plain);
}
const a = make(true), b = make(false);
for (let i = 0; i < 5; i++) { a(); b(); }
const ta = [], tb = [];
for (let r = 0; r < 15; r++) {
  let t = performance.now(); for (let i = 0; i < 20; i++) a(); ta.push((performance.now() - t) / 20);
  t = performance.now(); for (let i = 0; i < 20; i++) b(); tb.push((performance.now() - t) / 20);
}
const med = (x) => [...x].sort((p, q) => p - q)[7];
console.log("resident batch", med(ta).toFixed(2), "JS batch", med(tb).toFixed(2), "ms/step");
