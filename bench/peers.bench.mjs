// `pnpm bench:peers`: Slope against numpy (+ OpenBLAS, 1 and 2 threads, and 1 thread on its 128-bit
// SSE kernels), TensorFlow.js 4.22 (cpu,
// wasm) and jax-js 0.1.25 (wasm) on the lecture's workloads, side by side in one run, as ratios.
// One epoch = 195 random batches of 256 rows of a 50,000 × 3,073 float32 matrix, 10 classes:
// gather, scores, loss, gradient, SGD update. Last, the `cnn` experiment's convnet training step (batch 64)
// for Slope on 1 and 2 threads, TensorFlow.js wasm and PyTorch CPU on 1 and 2 threads (peers/convnet.mjs).
import b from "benny";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { Rng, matmul, randn, reuseBuffers } from "@slope/core";
import { disableThreads, enableThreads } from "@slope/core/node";
import { convnetComparison } from "./peers/convnet.mjs";
import { makeData, slopeEpoch, slopeTwoLayerStep } from "./peers/slope.mjs";

const rows = [];
const median = (xs) => [...xs].sort((a, c) => a - c)[Math.floor(xs.length / 2)];
const data = makeData();

// Slope, on one thread and then on two (the same bits either way).
const rng = new Rng("matmul");
const shapes = {
  X·W: [256, 3073, 10, false, false],
  Xᵀ·dS: [3073, 256, 10, true, false],
  dS·Wᵀ: [256, 10, 3073, false, true],
};
// Each workload twice: the step wrapped in reuseBuffers (the steady state a training loop runs in)
// and with fresh buffers every step; matmul likewise into a reused output and into a fresh one.
async function measureSlope() {
  const result = { matmul: {}, matmulFresh: {}, fresh: {} };
  for (const reuse of [true, false]) {
    const into = reuse ? result : result.fresh;
    for (const loss of ["softmax", "svm"]) {
      const epoch = slopeEpoch(data, loss, { reuse });
      epoch();
      const times = [];
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        epoch();
        times.push((performance.now() - t) / 1000);
      }
      into[loss] = median(times);
    }
    into.twoLayerStep = slopeTwoLayerStep(data, { reuse });
  }
  for (const [name, [m, k, n, tA, tB]] of Object.entries(shapes)) {
    const A = randn(tA ? [k, m] : [m, k], { rng }),
      B = randn(tB ? [n, k] : [k, n], { rng });
    const product = () => matmul(A, B, { transposeA: tA, transposeB: tB });
    const reused = reuseBuffers(product);
    await b.suite(
      name,
      b.add(name, () => {
        reused();
      }),
      b.add(`${name}, fresh output`, () => {
        product();
      }),
      b.complete((s) => {
        result.matmul[name] = (s.results[0].ops * 2 * m * k * n) / 1e9;
        result.matmulFresh[name] = (s.results[1].ops * 2 * m * k * n) / 1e9;
      }),
    );
  }
  return result;
}
const slope = await measureSlope();
await enableThreads({ threads: 2 });
const slope2 = await measureSlope();
disableThreads();

// numpy, one thread and two, with the OpenBLAS kernels it picks here (the environment may pin them
// with OPENBLAS_CORETYPE), and on one thread again with OpenBLAS's 128-bit SSE kernels ("Nehalem"):
// 4-lane float32 vectors with a separate multiply and add, the instructions WebAssembly SIMD has.
const numpy = {};
const numpyRuns = { 1: { threads: 1 }, 2: { threads: 2 }, sse: { threads: 1, core: "Nehalem" } };
for (const [key, { threads, core }] of Object.entries(numpyRuns)) {
  const env = {
    ...process.env,
    OPENBLAS_NUM_THREADS: String(threads),
    OMP_NUM_THREADS: String(threads),
    MKL_NUM_THREADS: String(threads),
    OPENBLAS_VERBOSE: "2",
  };
  if (core) env.OPENBLAS_CORETYPE = core;
  const run = spawnSync("python3", [join(import.meta.dirname, "peers", "numpy_peer.py")], {
    env,
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  if (run.status === 0)
    numpy[key] = { ...JSON.parse(run.stdout), core: /Core: (\w+)/.exec(run.stderr)?.[1] ?? "unknown" };
  else
    console.log(
      `numpy (${key}) skipped: ${(run.stderr || run.error?.message || "python3 not found").trim().split("\n").pop()}`,
    );
}
/** A numpy row's name: version, OpenBLAS kernels, threads. */
const numpyName = (key) =>
  `numpy ${numpy[key].numpy} (OpenBLAS ${numpy[key].core}${key === "sse" ? ", 128-bit SSE" : ""}), ${numpyRuns[key].threads} thread${numpyRuns[key].threads > 1 ? "s" : ""}`;
const numpyKeys = () => Object.keys(numpyRuns).filter((key) => numpy[key]);

// TensorFlow.js and jax-js: one epoch each (they are slow).
const peers = {};
try {
  const { tfjsEpoch } = await import("./peers/tfjs.mjs");
  for (const backend of ["wasm", "cpu"])
    for (const loss of ["softmax", "svm"])
      peers[`TensorFlow.js ${backend}|${loss}`] = await tfjsEpoch(data, backend, loss);
} catch (error) {
  console.log(`TensorFlow.js skipped: ${error.message}`);
}
try {
  const { jaxEpoch } = await import("./peers/jax.mjs");
  peers["jax-js wasm (jit)|softmax"] = await jaxEpoch(data);
} catch (error) {
  console.log(`jax-js skipped: ${error.message}`);
}

for (const loss of ["softmax", "svm"]) {
  rows.push({
    workload: `epoch, linear ${loss}`,
    framework: "Slope, 1 thread",
    seconds: +slope[loss].toFixed(3),
    "Slope / it": 1,
  });
  rows.push({
    workload: `epoch, linear ${loss}`,
    framework: "Slope, 1 thread, fresh buffers",
    seconds: +slope.fresh[loss].toFixed(3),
    "Slope / it": +(slope[loss] / slope.fresh[loss]).toFixed(2),
  });
  rows.push({
    workload: `epoch, linear ${loss}`,
    framework: "Slope, 2 threads",
    seconds: +slope2[loss].toFixed(3),
    "Slope / it": +(slope[loss] / slope2[loss]).toFixed(2),
  });
  for (const key of numpyKeys())
    rows.push({
      workload: `epoch, linear ${loss}`,
      framework: numpyName(key),
      seconds: +numpy[key][loss].toFixed(3),
      "Slope / it": +(slope[loss] / numpy[key][loss]).toFixed(2),
    });
  for (const [key, seconds] of Object.entries(peers)) {
    const [name, l] = key.split("|");
    if (l === loss)
      rows.push({
        workload: `epoch, linear ${loss}`,
        framework: name,
        seconds: +seconds.toFixed(3),
        "Slope / it": +(slope[loss] / seconds).toFixed(3),
      });
  }
}
rows.push({
  workload: "two-layer step 3072→100→10",
  framework: "Slope, 1 thread",
  seconds: +slope.twoLayerStep.toFixed(4),
  "Slope / it": 1,
});
rows.push({
  workload: "two-layer step 3072→100→10",
  framework: "Slope, 1 thread, fresh buffers",
  seconds: +slope.fresh.twoLayerStep.toFixed(4),
  "Slope / it": +(slope.twoLayerStep / slope.fresh.twoLayerStep).toFixed(2),
});
rows.push({
  workload: "two-layer step 3072→100→10",
  framework: "Slope, 2 threads",
  seconds: +slope2.twoLayerStep.toFixed(4),
  "Slope / it": +(slope.twoLayerStep / slope2.twoLayerStep).toFixed(2),
});
for (const key of numpyKeys())
  rows.push({
    workload: "two-layer step 3072→100→10",
    framework: numpyName(key),
    seconds: +numpy[key].twoLayerStep.toFixed(4),
    "Slope / it": +(slope.twoLayerStep / numpy[key].twoLayerStep).toFixed(2),
  });
console.log(
  `\nSlope (WebAssembly SIMD kernels) against its peers, Node ${process.version}; "Slope / it" < 1: Slope is faster (it is Slope, 1 thread, against each row)`,
);
console.table(rows);
console.log(
  "float32 matmul, GFLOP/s: Slope's product into a reused output (inside reuseBuffers), and into a fresh array (which pays the page faults of new memory)",
);
console.table(
  Object.keys(shapes).map((name) => ({
    "float32 matmul": name,
    "Slope 1 thread": +slope.matmul[name].toFixed(1),
    "(fresh output)": +slope.matmulFresh[name].toFixed(1),
    "Slope 2 threads": +slope2.matmul[name].toFixed(1),
    ...(numpy[1]
      ? {
          "numpy 1 thread": +numpy[1].matmul[name].toFixed(1),
          "1:1": `${Math.round((100 * slope.matmul[name]) / numpy[1].matmul[name])}%`,
        }
      : {}),
    ...(numpy[2]
      ? {
          "numpy 2 threads": +numpy[2].matmul[name].toFixed(1),
          "2:2": `${Math.round((100 * slope2.matmul[name]) / numpy[2].matmul[name])}%`,
        }
      : {}),
    ...(numpy.sse
      ? {
          "numpy SSE 1 thread": +numpy.sse.matmul[name].toFixed(1),
          "1:1 SSE": `${Math.round((100 * slope.matmul[name]) / numpy.sse.matmul[name])}%`,
        }
      : {}),
  })),
);

await convnetComparison();
