// Whether the kernels' memory stays flat over a long run of the lecture's reused step (issue #16: ≤ 1.05×):
// `memoryStats().memoryBytes` of @slope/core after 100 steps and after 10,000 (about 51 epochs of 195 batches, through
// the real DataLoader), in a process of its own so that nothing else has grown the memory first. When the first 100
// steps say 10,000 would take more than `budget` seconds (90), it runs as many as fit, and says so.
// Run alone: node bench/peers/memory.mjs [--steps N] [--synthetic] [--json] (after `npx tsc -b`).
import * as core from "@slope/core";
import { lectureData } from "./cifar.mjs";
import { lectureEpoch } from "./slope.mjs";

/**
 * { steps, seconds, source, after100, afterAll, ratio, stats } or { skipped: why } when @slope/core has no memoryStats
 * (or no WebAssembly memory to report).
 */
export async function memoryGrowth({ steps = 10_000, budget = 90, synthetic = false } = {}) {
  if (typeof core.memoryStats !== "function") return { skipped: "@slope/core exports no memoryStats (yet)" };
  const cifar = await lectureData({ synthetic });
  const { step } = lectureEpoch(cifar, "softmax", { seed: "peers-memory" });
  const start = performance.now();
  let warm = start;
  for (let i = 0; i < 100; i++) {
    if (i === 20) warm = performance.now(); // the rate is taken once the step is steady
    step();
  }
  const early = core.memoryStats();
  if (early === null) return { skipped: "memoryStats() is null: no WebAssembly kernels here" };
  const perStep = (performance.now() - warm) / 1000 / 80;
  const planned = steps;
  if (perStep * steps > budget) steps = Math.max(1000, Math.floor(budget / perStep));
  for (let i = 100; i < steps; i++) step();
  const late = core.memoryStats();
  return {
    steps,
    planned,
    seconds: (performance.now() - start) / 1000,
    source: cifar.source,
    after100: early.memoryBytes,
    afterAll: late.memoryBytes,
    ratio: late.memoryBytes / early.memoryBytes,
    stats: { after100: early, afterAll: late },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf("--steps");
  const steps = at > 0 ? Number(process.argv[at + 1]) : 10_000;
  const result = await memoryGrowth({ steps, synthetic: process.argv.includes("--synthetic") });
  if (process.argv.includes("--json")) console.log(JSON.stringify(result));
  else if (result.skipped) console.log(`memory growth skipped: ${result.skipped}`);
  else
    console.log(
      `${result.steps.toLocaleString("en")} reused lecture steps (${result.source}) in ${result.seconds.toFixed(1)} s: ` +
        `memoryBytes ${result.after100.toLocaleString("en")} after 100, ${result.afterAll.toLocaleString("en")} after ` +
        `${result.steps.toLocaleString("en")}, ×${result.ratio.toFixed(3)} (target ≤ 1.05)`,
    );
}
