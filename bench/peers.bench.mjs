// `pnpm bench:peers` (node bench/peers.bench.mjs [--quick] [--runs N] [--synthetic], after `npx tsc -b`): Slope against
// numpy (+ OpenBLAS, 1 and 2 threads, and 1 thread on its 128-bit SSE kernels), TensorFlow.js 4.22 (cpu, wasm) and
// jax-js 0.1.25 (wasm) on the lecture's workloads, side by side in one run, as ratios; last, issue #16's targets.
// - The lecture's epoch ("epoch, linear softmax / svm"): CIFAR-10's 50,000 training images as bytes (the real set when
//   it is there, else seeded random bytes of its shape: the printout says which), the mean image subtracted, the bias
//   column, 195 batches of 256, linear scores, softmax or SVM loss, L2 (reg 2.5e4), SGD (lr 1e-7), each side in its
//   own idiom: Slope keeps the bytes (ImageFeatures, a shuffling DataLoader, the step in reuseBuffers); numpy holds
//   float32 features, as the course's code does, and takes X[idx] of random rows; TensorFlow.js and jax-js get the
//   same float32 features as a tensor and gather each batch from it.
// - The epoch from a float32 matrix ("epoch from a float32 matrix, plain loop"): 195 batches of 256 random rows of a
//   random 50,000 × 3,073 float32 matrix, gathered each step; Slope as a plain loop (a fresh tensor each step, no
//   reuseBuffers) and, in a second row, with the gather inside a step in reuseBuffers; numpy the same loop.
// - The two-layer step 3072 → 100 → 10, the epoch's three products in GFLOP/s, and the `cnn` experiment's convnet
//   step (peers/convnet.mjs).
// - Slope itself: the bytes copied between the JavaScript heap and a WebAssembly memory in one steady lecture step
//   (tracePlacement), and the kernels' memory after 10,000 steps against after 100 (memoryStats, peers/memory.mjs).
// --quick skips TensorFlow.js, jax-js, the convnet and the 10,000 steps. --runs N runs the whole bench N times, each
// in a process of its own, and ends with the median and the spread (min–max) of each ratio. --synthetic takes the
// random bytes even when CIFAR-10 is there.
import b from "benny";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import * as core from "@slope/core";
import { Rng, matmul, randn, reuseBuffers } from "@slope/core";
import { disableThreads, enableThreads } from "@slope/core/node";
import { meanImage, toFeatures } from "@slope/data";
import { lectureData } from "./peers/cifar.mjs";
import { convnetComparison } from "./peers/convnet.mjs";
import { lectureEpoch, makeData, medianSeconds, slopeEpoch, slopeTwoLayerStep } from "./peers/slope.mjs";

const USAGE = "usage: node bench/peers.bench.mjs [--quick] [--runs N] [--synthetic]";

/** The command line: { quick, synthetic, runs, ratiosOut (where a run of --runs writes its ratios) }. */
function parseArguments(argv) {
  const options = { quick: false, synthetic: false, runs: 1, ratiosOut: null };
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].split("=", 2);
    const value = () => inline ?? argv[++i];
    if (name === "--quick") options.quick = true;
    else if (name === "--synthetic") options.synthetic = true;
    else if (name === "--runs") options.runs = Number(value());
    else if (name === "--ratios-out") options.ratiosOut = value();
    else usage(`unknown argument ${argv[i]}`);
  }
  if (!Number.isInteger(options.runs) || options.runs < 1) usage("--runs takes a whole number ≥ 1");
  return options;
}

function usage(why) {
  console.error(`${why}\n${USAGE}`);
  process.exit(2);
}

/**
 * Issue #16's targets, each a ratio (or a count) with the bound it should meet. A run reports a value for each id it
 * measured; the summary shows every target, with why it has no value when it has none.
 */
const TARGETS = [
  ["lecture-softmax-1", "epoch, linear softmax: Slope 1 thread / numpy 1 thread", "≤", 0.7],
  ["lecture-svm-1", "epoch, linear svm: Slope 1 thread / numpy 1 thread", "≤", 0.7],
  ["lecture-softmax-2", "epoch, linear softmax: Slope 2 threads / numpy 2 threads", "≤", 1.0],
  ["lecture-svm-2", "epoch, linear svm: Slope 2 threads / numpy 2 threads", "≤", 1.0],
  ["matrix-softmax", "epoch from a float32 matrix, plain loop, softmax: Slope 1 thread / numpy 1 thread", "≤", 1.0],
  ["matrix-svm", "epoch from a float32 matrix, plain loop, svm: Slope 1 thread / numpy 1 thread", "≤", 1.0],
  ["two-layer", "two-layer step: Slope 2 threads / numpy 1 thread", "≤", 1.3],
  ["convnet", "convnet step: Slope 2 threads / Slope 1 thread", "≤", 0.6],
  ["tfjs-softmax", "epoch, linear softmax: TensorFlow.js wasm / Slope 1 thread", "≥", 25],
  ["tfjs-svm", "epoch, linear svm: TensorFlow.js wasm / Slope 1 thread", "≥", 25],
  ["jax-softmax", "epoch, linear softmax: jax-js wasm (jit) / Slope 1 thread", "≥", 25],
  ["bytes-1", "bytes copied per steady lecture step (softmax), Slope 1 thread", "≤", 0],
  ["bytes-2", "bytes copied per steady lecture step (softmax), Slope 2 threads", "≤", 0],
  ["memory", "memoryBytes after 10,000 lecture steps / after 100", "≤", 1.05],
].map(([id, name, relation, bound]) => ({ id, name, relation, bound }));

const meets = ({ relation, bound }, value) => (relation === "≤" ? value <= bound : value >= bound);
const formatValue = (id, value) =>
  id.startsWith("bytes") ? `${Math.round(value).toLocaleString("en")} B` : value.toFixed(value >= 10 ? 1 : 2);
const formatTarget = ({ id, relation, bound }) =>
  id.startsWith("bytes") ? "0 B" : `${relation} ${bound < 10 ? bound.toFixed(2).replace(/0$/, "") : bound}`;

const options = parseArguments(process.argv.slice(2));
if (options.runs > 1) await runSeveral(options);
else await runOnce(options);

/** Runs the bench `runs` times, each in a fresh process that prints its own tables, then the spread of each ratio. */
async function runSeveral({ runs, quick, synthetic }) {
  const dir = mkdtempSync(join(tmpdir(), "slope-peers-runs-"));
  const results = [];
  try {
    for (let run = 1; run <= runs; run++) {
      console.log(`\n=== pnpm bench:peers, run ${run} of ${runs} ===`);
      const file = join(dir, `run-${run}.json`);
      const flags = [...(quick ? ["--quick"] : []), ...(synthetic ? ["--synthetic"] : []), "--ratios-out", file];
      const child = spawnSync(process.execPath, [import.meta.filename, ...flags], { stdio: "inherit" });
      if (child.status !== 0) {
        console.error(`run ${run} failed (${child.error?.message ?? `exit code ${child.status}`})`);
        process.exit(child.status || 1);
      }
      results.push(JSON.parse(readFileSync(file, "utf8")));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nIssue #16's targets over ${runs} runs: the median of each ratio and its spread (min–max)`);
  console.table(
    TARGETS.map((target) => {
      const values = results.map((r) => r.values[target.id]).filter((v) => v !== undefined);
      const names = results.map((r) => r.names?.[target.id]).filter(Boolean);
      const row = { ratio: names[0] ?? target.name };
      if (values.length === 0) return { ...row, median: "—", "min–max": results.at(-1).skipped[target.id] ?? "" };
      const sorted = [...values].sort((p, q) => p - q);
      const middle = Math.floor(sorted.length / 2);
      const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
      return {
        ...row,
        median: formatValue(target.id, median),
        "min–max": `${formatValue(target.id, sorted[0])} – ${formatValue(target.id, sorted.at(-1))}`,
        runs: values.length,
        target: formatTarget(target),
        "median meets it": meets(target, median) ? "yes" : "no",
      };
    }),
  );
}

async function runOnce({ quick, synthetic, ratiosOut }) {
  const values = {};
  const names = {};
  const skipped = {};
  const skip = (ids, why) => {
    for (const id of ids) if (values[id] === undefined) skipped[id] ??= why;
  };
  const LOSSES = ["softmax", "svm"];

  const loadBefore = loadavg()[0];
  const cifar = await lectureData({ synthetic });
  console.log(`The lecture's epoch runs on ${cifar.source}.`);
  const data = makeData();

  // Slope, on one thread and then on two (the same bits either way).
  const rng = new Rng("matmul");
  const shapes = {
    X·W: [256, 3073, 10, false, false],
    Xᵀ·dS: [3073, 256, 10, true, false],
    dS·Wᵀ: [256, 10, 3073, false, true],
  };
  // benchmark.js's default of 5 s a case, or 1 s with --quick.
  const caseOptions = quick ? { maxTime: 1 } : {};

  /** One steady lecture step's copies (tracePlacement): total bytes, calls, and the ops that copy most. */
  function steadyCopies() {
    if (typeof core.tracePlacement !== "function") return null;
    const { step } = lectureEpoch(cifar, "softmax", { seed: "peers-placement" });
    for (let i = 0; i < 5; i++) step();
    const { ops } = core.tracePlacement(() => step());
    const byOp = new Map();
    for (const { op, place, bytesCopied } of ops) {
      const key = `${op} @ ${place}`;
      byOp.set(key, (byOp.get(key) ?? 0) + bytesCopied);
    }
    const largest = [...byOp].filter(([, bytes]) => bytes > 0).sort((p, q) => q[1] - p[1]);
    return { bytes: ops.reduce((total, op) => total + op.bytesCopied, 0), calls: ops.length, largest };
  }

  async function measureSlope(threads) {
    const result = { lecture: {}, matrix: {}, matrixReused: {}, matmul: {}, matmulFresh: {} };
    for (const loss of LOSSES) result.lecture[loss] = medianSeconds(lectureEpoch(cifar, loss).epoch);
    if (threads === 1) {
      for (const loss of LOSSES) {
        result.matrix[loss] = medianSeconds(slopeEpoch(data, loss, { reuse: false }));
        result.matrixReused[loss] = medianSeconds(slopeEpoch(data, loss, { reuse: true }));
      }
      result.twoLayerFresh = slopeTwoLayerStep(data, { reuse: false });
    }
    result.twoLayerStep = slopeTwoLayerStep(data, { reuse: true });
    result.copies = steadyCopies();
    // matmul into a reused output (the steady state of a training loop) and into a fresh one.
    for (const [name, [m, k, n, tA, tB]] of Object.entries(shapes)) {
      const A = randn(tA ? [k, m] : [m, k], { rng }),
        B = randn(tB ? [n, k] : [k, n], { rng });
      const product = () => matmul(A, B, { transposeA: tA, transposeB: tB });
      const reused = reuseBuffers(product);
      await b.suite(
        name,
        b.add(
          name,
          () => {
            reused();
          },
          caseOptions,
        ),
        b.add(
          `${name}, fresh output`,
          () => {
            product();
          },
          caseOptions,
        ),
        b.complete((s) => {
          result.matmul[name] = (s.results[0].ops * 2 * m * k * n) / 1e9;
          result.matmulFresh[name] = (s.results[1].ops * 2 * m * k * n) / 1e9;
        }),
      );
    }
    return result;
  }
  const slope = await measureSlope(1);
  await enableThreads({ threads: 2 });
  const slope2 = await measureSlope(2);
  disableThreads();

  // numpy, one thread and two, with the OpenBLAS kernels it picks here (the environment may pin them
  // with OPENBLAS_CORETYPE), and on one thread again with OpenBLAS's 128-bit SSE kernels ("Nehalem"):
  // 4-lane float32 vectors with a separate multiply and add, the instructions WebAssembly SIMD has.
  const numpy = {};
  const numpyRuns = { 1: { threads: 1 }, 2: { threads: 2 }, sse: { threads: 1, core: "Nehalem" } };
  for (const [key, { threads, core: coreType }] of Object.entries(numpyRuns)) {
    const env = {
      ...process.env,
      OPENBLAS_NUM_THREADS: String(threads),
      OMP_NUM_THREADS: String(threads),
      MKL_NUM_THREADS: String(threads),
      OPENBLAS_VERBOSE: "2",
    };
    if (coreType) env.OPENBLAS_CORETYPE = coreType;
    const script = join(import.meta.dirname, "peers", "numpy_peer.py");
    const run = spawnSync("python3", [script, ...(cifar.dir ? ["--cifar", cifar.dir] : [])], {
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
  const anyNumpy = numpy[1] ?? numpy[2] ?? numpy.sse;
  if (anyNumpy) {
    let same = "";
    if (cifar.dir) {
      let sum = 0;
      for (let i = 0; i < cifar.images.length; i++) sum += cifar.images[i];
      same =
        sum === anyNumpy.pixelSum
          ? " (the same bytes as Slope's: the pixel sums agree)"
          : ` — NOT the bytes Slope read: pixel sums ${sum} and ${anyNumpy.pixelSum}`;
    } else same = " (its own random bytes, not Slope's: the same shape and distribution)";
    console.log(`numpy's lecture epoch runs on ${anyNumpy.source}${same}.`);
  }

  // TensorFlow.js and jax-js: one lecture epoch each (they are slow), on the float32 features the course's code holds
  // (toFeatures: bytes − mean image, bias column), 195 batches of 256 of one shuffled order.
  const peers = {};
  if (quick) {
    skip(["tfjs-softmax", "tfjs-svm", "jax-softmax"], "skipped (--quick)");
  } else {
    const features = toFeatures(cifar.images, cifar.count, {
      mean: meanImage(cifar.images, cifar.count),
      bias: true,
    });
    const order = new Rng("peers-lecture-order").permutation(cifar.count);
    const lectureFloat = {
      X: features,
      y: Int32Array.from(cifar.labels),
      batches: Array.from({ length: 195 }, (_, i) => order.subarray(i * 256, (i + 1) * 256)),
    };
    try {
      const { tfjsEpoch } = await import("./peers/tfjs.mjs");
      for (const backend of ["wasm", "cpu"])
        for (const loss of LOSSES)
          peers[`TensorFlow.js ${backend}|${loss}`] = await tfjsEpoch(lectureFloat, backend, loss);
    } catch (error) {
      console.log(`TensorFlow.js skipped: ${error.message}`);
      skip(["tfjs-softmax", "tfjs-svm"], `skipped: ${error.message}`);
    }
    try {
      const { jaxEpoch } = await import("./peers/jax.mjs");
      peers["jax-js wasm (jit)|softmax"] = await jaxEpoch(lectureFloat);
    } catch (error) {
      console.log(`jax-js skipped: ${error.message}`);
      skip(["jax-softmax"], `skipped: ${error.message}`);
    }
  }

  // The main table: each workload's rows against its first Slope row (1 thread).
  const rows = [];
  const addRows = (workload, base, entries) => {
    for (const [framework, seconds, digits = 3] of entries)
      rows.push({
        workload,
        framework,
        seconds: +seconds.toFixed(digits),
        "Slope / it": +(base / seconds).toFixed(base / seconds < 0.1 ? 3 : 2),
      });
  };
  for (const loss of LOSSES) {
    addRows(`epoch, linear ${loss}`, slope.lecture[loss], [
      ["Slope, 1 thread (bytes, ImageFeatures, DataLoader, reuseBuffers)", slope.lecture[loss]],
      ["Slope, 2 threads", slope2.lecture[loss]],
      ...numpyKeys().map((key) => [`${numpyName(key)} (float32 X, X[idx])`, numpy[key].lecture[loss]]),
      ...Object.entries(peers)
        .filter(([key]) => key.endsWith(`|${loss}`))
        .map(([key, seconds]) => [`${key.split("|")[0]} (float32 features, gather)`, seconds]),
    ]);
  }
  for (const loss of LOSSES) {
    addRows(`epoch from a float32 matrix, plain loop, linear ${loss}`, slope.matrix[loss], [
      ["Slope, 1 thread (gather into a fresh tensor each step)", slope.matrix[loss]],
      ...numpyKeys().map((key) => [numpyName(key), numpy[key].matrix[loss]]),
    ]);
    addRows(`epoch from a float32 matrix, reuseBuffers, linear ${loss}`, slope.matrix[loss], [
      ["Slope, 1 thread (gather inside the reused step)", slope.matrixReused[loss]],
    ]);
  }
  addRows("two-layer step 3072→100→10", slope.twoLayerStep, [
    ["Slope, 1 thread", slope.twoLayerStep, 4],
    ["Slope, 1 thread, fresh buffers", slope.twoLayerFresh, 4],
    ["Slope, 2 threads", slope2.twoLayerStep, 4],
    ...numpyKeys().map((key) => [numpyName(key), numpy[key].twoLayerStep, 4]),
  ]);
  console.log(
    `\nSlope (WebAssembly SIMD kernels) against its peers, Node ${process.version}; "Slope / it": the workload's Slope, 1 ` +
      `thread row (the plain loop, for the float32 matrix) over this row's time: < 1, Slope is faster. ` +
      `Load average ${loadBefore.toFixed(2)} → ${loadavg()[0].toFixed(2)}`,
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

  // Slope itself: copies in a steady step, and the memory over a long run.
  for (const [threads, copies] of [
    [1, slope.copies],
    [2, slope2.copies],
  ]) {
    const id = `bytes-${threads}`;
    if (copies === null) {
      skip([id], "@slope/core exports no tracePlacement");
      continue;
    }
    values[id] = copies.bytes;
    const largest = copies.largest
      .slice(0, 3)
      .map(([key, bytes]) => `${key} ${bytes.toLocaleString("en")} B`)
      .join("; ");
    console.log(
      `One steady lecture step (softmax, reuseBuffers, the DataLoader's next batch included), ${threads} thread${threads > 1 ? "s" : ""}: ` +
        `${copies.bytes.toLocaleString("en")} bytes copied in ${copies.calls} kernel calls${largest ? `; most: ${largest}` : ""}`,
    );
  }
  if (quick) skip(["memory"], "skipped (--quick)");
  else if (typeof core.memoryStats !== "function") skip(["memory"], "@slope/core exports no memoryStats (yet)");
  else {
    const script = join(import.meta.dirname, "peers", "memory.mjs");
    const run = spawnSync(process.execPath, [script, "--json", ...(synthetic ? ["--synthetic"] : [])], {
      encoding: "utf8",
      maxBuffer: 1 << 20,
    });
    const result = run.status === 0 ? JSON.parse(run.stdout.trim().split("\n").pop()) : null;
    if (result === null)
      skip(["memory"], `failed: ${(run.stderr || run.error?.message || "").trim().split("\n").pop()}`);
    else if (result.skipped) skip(["memory"], result.skipped);
    else {
      values.memory = result.ratio;
      const steps = result.steps.toLocaleString("en");
      if (result.steps !== 10_000) names.memory = `memoryBytes after ${steps} lecture steps / after 100`;
      console.log(
        `${steps} reused lecture steps (softmax, through the DataLoader, ${(result.steps / 195).toFixed(1)} epochs) in a ` +
          `process of their own took ${result.seconds.toFixed(1)} s${result.steps < result.planned ? ` (fewer than ${result.planned.toLocaleString("en")}: those would have taken more than 90 s)` : ""}; ` +
          `memoryBytes ${result.after100.toLocaleString("en")} after 100, ${result.afterAll.toLocaleString("en")} after ${steps}`,
      );
    }
  }

  let convnet = null;
  if (quick) skip(["convnet"], "skipped (--quick)");
  else convnet = await convnetComparison();

  // The ratios.
  const ratio = (id, numerator, denominator) => {
    if (numerator !== undefined && denominator !== undefined) values[id] = numerator / denominator;
  };
  for (const loss of LOSSES) {
    ratio(`lecture-${loss}-1`, slope.lecture[loss], numpy[1]?.lecture[loss]);
    ratio(`lecture-${loss}-2`, slope2.lecture[loss], numpy[2]?.lecture[loss]);
    ratio(`matrix-${loss}`, slope.matrix[loss], numpy[1]?.matrix[loss]);
    ratio(`tfjs-${loss}`, peers[`TensorFlow.js wasm|${loss}`], slope.lecture[loss]);
  }
  ratio("two-layer", slope2.twoLayerStep, numpy[1]?.twoLayerStep);
  ratio("jax-softmax", peers["jax-js wasm (jit)|softmax"], slope.lecture.softmax);
  ratio("convnet", convnet?.slope[2]?.ms, convnet?.slope[1]?.ms);
  skip(
    ["lecture-softmax-1", "lecture-svm-1", "matrix-softmax", "matrix-svm", "two-layer"],
    "numpy on 1 thread did not run",
  );
  skip(["lecture-softmax-2", "lecture-svm-2"], "numpy on 2 threads did not run");

  console.log(`\nIssue #16's targets (${quick ? "--quick: " : ""}the lecture's epoch on ${cifar.source})`);
  console.table(
    TARGETS.map((target) => {
      const value = values[target.id];
      const row = { ratio: names[target.id] ?? target.name };
      if (value === undefined)
        return { ...row, measured: "—", target: formatTarget(target), met: skipped[target.id] ?? "not measured" };
      return {
        ...row,
        measured: formatValue(target.id, value),
        target: formatTarget(target),
        met: meets(target, value) ? "yes" : "no",
      };
    }),
  );
  if (ratiosOut) writeFileSync(ratiosOut, JSON.stringify({ values, names, skipped }));
}
