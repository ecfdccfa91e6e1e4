// The convnet training step of `pnpm bench:peers`: the `cnn` experiment's net (cifarConvnet, batch 64 of
// CIFAR-shaped float32 images, forward, cross-entropy, backward, SGD with momentum) for Slope on one and
// two threads (in reuseBuffers and with fresh buffers), TensorFlow.js 4.22 wasm and PyTorch CPU on one and
// two threads (when a python3 can import torch: $TORCH_PYTHON, python3 on the PATH, or Debian's
// /usr/bin/python3 with python3-torch). Milliseconds per step, the median of 10 steps after 3 of warm-up.
// Run alone (`node bench/peers/convnet.mjs`, after `npx tsc -b`) it prints just this table.
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { join } from "node:path";
import { disableThreads, enableThreads } from "@slope/core/node";
import { slopeConvnetStep } from "./slope.mjs";

/** The first python that can import torch, or null. */
function torchPython() {
  for (const python of [process.env.TORCH_PYTHON, "python3", "/usr/bin/python3"]) {
    if (python && spawnSync(python, ["-c", "import torch"], { encoding: "utf8" }).status === 0) return python;
  }
  return null;
}

/** Measures every peer's step and prints the table; returns its rows and the measurements (milliseconds per step). */
export async function convnetComparison() {
  const loadBefore = loadavg()[0];
  const slope = { 1: slopeConvnetStep(), fresh: slopeConvnetStep({ reuse: false }) };
  await enableThreads({ threads: 2 });
  slope[2] = slopeConvnetStep();
  slope.fresh2 = slopeConvnetStep({ reuse: false });
  disableThreads();

  let tfjs = null;
  try {
    const { tfjsConvnetStep } = await import("./tfjs.mjs");
    tfjs = await tfjsConvnetStep("wasm");
  } catch (error) {
    console.log(`TensorFlow.js (convnet) skipped: ${error.message}`);
  }

  const torch = {};
  const python = torchPython();
  if (python === null) console.log("PyTorch (convnet) skipped: no python3 here can import torch");
  else {
    for (const threads of [1, 2]) {
      const env = { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
      const script = join(import.meta.dirname, "torch_convnet.py");
      const run = spawnSync(python, [script, String(threads)], { env, encoding: "utf8" });
      const why = (run.stderr || run.error?.message || "").trim().split("\n").pop();
      if (run.status === 0) torch[threads] = JSON.parse(run.stdout);
      else console.log(`PyTorch (convnet, ${threads} threads) skipped: ${why}`);
    }
  }
  const loadAfter = loadavg()[0];

  const base = slope[1].ms;
  const row = (framework, ms) => ({
    workload: "convnet step, batch 64",
    framework,
    "ms / step": +ms.toFixed(1),
    "Slope / it": +(base / ms).toFixed(2),
  });
  const rows = [
    row("Slope, 1 thread", slope[1].ms),
    row("Slope, 1 thread, fresh buffers", slope.fresh.ms),
    row("Slope, 2 threads", slope[2].ms),
    row("Slope, 2 threads, fresh buffers", slope.fresh2.ms),
  ];
  if (tfjs) {
    const how = `${tfjs.simd ? "SIMD" : "no SIMD"}, ${tfjs.threads ? "threads" : "1 thread"}`;
    rows.push(row(`TensorFlow.js 4.22 wasm (${how})`, tfjs.ms));
  }
  for (const threads of [1, 2]) {
    const name = `PyTorch ${torch[threads]?.torch} CPU, ${threads} thread${threads > 1 ? "s" : ""}`;
    if (torch[threads]) rows.push(row(name, torch[threads].ms));
  }
  console.log(
    "\nThe cnn experiment's convnet, one training step (forward, cross-entropy, backward, SGD momentum) on a batch " +
      `of 64 3×32×32 images; "Slope / it" < 1: Slope (1 thread, reuseBuffers) is faster. ` +
      `Load average ${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)}`,
  );
  console.table(rows);
  const targets = [];
  if (tfjs) targets.push(`${(tfjs.ms / base).toFixed(1)}× faster than TensorFlow.js wasm (target ≥ 5×)`);
  if (torch[1]) targets.push(`${(base / torch[1].ms).toFixed(2)}× PyTorch's time on one thread (target ≤ 2×)`);
  if (targets.length > 0) console.log(`Slope on one thread: ${targets.join("; ")}.`);
  return { rows, slope, tfjs, torch };
}

if (import.meta.url === `file://${process.argv[1]}`) await convnetComparison();
