import { kernels, setKernels } from "@slope/core";
import { makeData, slopeTwoLayerStep } from "./peers/slope.mjs";
const data = makeData(5000);
const base = kernels();
const stats = new Map();
const timed = {};
for (const [name, fn] of Object.entries(base)) {
  if (typeof fn !== "function") { timed[name] = fn; continue; }
  timed[name] = (...args) => {
    const t = performance.now(); const r = fn.apply(base, args); const dt = performance.now() - t;
    let key = name;
    if (name === "matmul") key += ` ${args[6]}×${args[7]}×${args[8]} ${args[9] ? "T" : "N"}${args[10] ? "T" : "N"}`;
    if (name === "binary" || name === "unary") key += ` ${args[0]} ${args[1].length}`;
    if (name === "axpy" || name === "sumOfSquares") key += ` ${args[0].length}`;
    const s = stats.get(key) ?? { n: 0, ms: 0 }; s.n++; s.ms += dt; stats.set(key, s); return r;
  };
}
timed.name = base.name;
setKernels(timed);
slopeTwoLayerStep(data); stats.clear();
const t = performance.now(); const steps = 10; for (let i = 0; i < steps; i++) slopeTwoLayerStep(data);
const total = (performance.now() - t);
const per = 25 * steps;
console.log("total ms/step (incl. warmup calls)", (total / per).toFixed(3));
let sum = 0;
for (const [k, v] of [...stats].sort((a, b) => b[1].ms - a[1].ms)) { sum += v.ms; console.log(k.padEnd(40), (v.n / per).toFixed(1), "calls/step", (v.ms / per).toFixed(3), "ms/step"); }
console.log("kernels total", (sum / per).toFixed(3));
