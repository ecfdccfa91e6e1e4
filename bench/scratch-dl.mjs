import { add, l2, linear, mul, param, softmaxCrossEntropy } from "@slope/autograd";
import { Rng, randn, reuseBuffers } from "@slope/core";
import { DataLoader } from "@slope/data";
import { SGD } from "@slope/optim";
import { setResidentArrays } from "/work/main/packages/core/dist/buffers.js";
import { makeData } from "./peers/slope.mjs";
const { X, y } = makeData();
function make() {
  const W = param(randn([X.shape[1], 10], { rng: new Rng("W"), std: 1e-4 }));
  const sgd = new SGD([W], { lr: 1e-7 });
  const loader = new DataLoader(X, y, { batchSize: 256, shuffle: true, rng: new Rng(1), dropLast: true });
  const step = reuseBuffers((x, yb) => { sgd.zeroGrad(); const v = add(softmaxCrossEntropy(linear(x, W), yb), mul(l2(W), 2.5e4)); v.backward(); sgd.step(); return v.item(); });
  return () => { for (const b of loader) step(b.x, b.y); return step; };
}
const resident = make(); resident();
setResidentArrays(() => null);
const copies = make(); copies();
console.log(resident().stats, copies().stats);
const t = { resident: [], copies: [] };
for (let r = 0; r < 7; r++) for (const [k, f] of [["resident", resident], ["copies", copies]]) { const s = performance.now(); f(); t[k].push(performance.now() - s); }
for (const [k, v] of Object.entries(t)) console.log(k, [...v].sort((a, b) => a - b)[3].toFixed(1), "ms/epoch (195 batches)");
