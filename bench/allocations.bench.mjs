// How many typed arrays a training step creates in the steady state, and how the heap moves over
// 1,000 steps: the linear softmax step of the peers benchmark (gather into a reused batch buffer,
// linear, loss, l2, backward, SGD.step), wrapped in reuseBuffers and not. Counts every
// `new Float32Array/Float64Array` made by JavaScript code (views made inside V8, such as subarray,
// are not counted).
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

const counts = { float32: 0, float64: 0 };
for (const [name, key] of [
  ["Float32Array", "float32"],
  ["Float64Array", "float64"],
]) {
  const Original = globalThis[name];
  globalThis[name] = new Proxy(Original, {
    construct(target, args, newTarget) {
      counts[key]++;
      return Reflect.construct(target, args, newTarget);
    },
  });
}
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc");

const { makeData, slopeEpoch } = await import("./peers/slope.mjs");
const data = makeData(5_000);
data.batches = data.batches.slice(0, 10);
for (const reuse of [true, false]) {
  const tenSteps = slopeEpoch(data, "softmax", { reuse });
  for (let i = 0; i < 20; i++) tenSteps(); // warm up: buffers, JIT
  counts.float32 = counts.float64 = 0;
  for (let i = 0; i < 10; i++) tenSteps();
  const perStep = { float32: counts.float32 / 100, float64: counts.float64 / 100 };
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 100; i++) tenSteps();
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  console.log(`\n${reuse ? "the step in reuseBuffers" : "fresh buffers every step"}:`);
  console.log(
    `  typed arrays created per training step (steady state): ${perStep.float32} Float32Array, ${perStep.float64} Float64Array`,
  );
  console.log(`  heap after 1,000 steps, after collection: ${((after - before) / 1024).toFixed(0)} KiB growth`);
}
