import { add, l2, linear, mul, param, softmaxCrossEntropy } from "@slope/autograd";
import { Rng, gather, randn, reuseBuffers, zeros } from "@slope/core";
import { SGD } from "@slope/optim";
import { setResidentArrays } from "/work/main/packages/core/dist/buffers.js";
import { makeData } from "./peers/slope.mjs";
const { X, y, batches } = makeData();
function make(inside) {
  const W = param(randn([X.shape[1], 10], { rng: new Rng("W"), std: 1e-4 }));
  const sgd = new SGD([W], { lr: 1e-7 });
  const xbOut = zeros([256, X.shape[1]]);
  const yb = new Int32Array(256);
  const step = reuseBuffers((idx) => {
    const xb = inside ? gather(X, idx) : gather(X, idx, { out: xbOut });
    for (let i = 0; i < 256; i++) yb[i] = y[idx[i]];
    sgd.zeroGrad();
    const value = add(softmaxCrossEntropy(linear(xb, W), yb), mul(l2(W), 2.5e4));
    value.backward(); sgd.step(); return value.item();
  });
  return () => { for (const idx of batches) step(idx); return step; };
}
const resIn = make(true); resIn(); const resOut = make(false); resOut();
setResidentArrays(() => null);
const copyIn = make(true); copyIn();
const runs = { "resident, gather inside": resIn, "resident, gather into out": resOut, "copies, gather inside": copyIn };
for (const [k, f] of Object.entries(runs)) console.log(k, f().stats);
const times = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
for (let r = 0; r < 7; r++) for (const [k, f] of Object.entries(runs)) { const t = performance.now(); f(); times[k].push(performance.now() - t); }
for (const [k, v] of Object.entries(times)) console.log(k, [...v].sort((a, b) => a - b)[3].toFixed(1), "ms/epoch");
