import { ValueError } from "../../errors.js";
import { decodeBase64 } from "../../encoding.js";
import { setKernels } from "../registry.js";
import type { Kernels } from "../types.js";
import { KERNELS_SHARED_WASM_BASE64 } from "./module.js";
import { kernelsWith, singleThreadWasm } from "./wasm-backend.js";
import { type KernelExports, type KernelRunner, PACKED_A_FLOATS, PACKED_B_FLOATS, WasmKernels, type WasmMemory } from "./wasm-kernels.js";
import { webAssembly } from "./webassembly.js";

// The threaded kernels, for any platform: the Node front end (src/node/threads.ts) starts
// worker_threads, the browser one (src/browser/threads.ts) Web Workers; both run WORKER_LOOP.


/** Int32s per worker in the control block: the job (1 dotRows, 2 rowsTimes, 3 transposedTimes, 4 blockedProduct) and its arguments. */
const SLOT = 15;
/**
 * How long a worker, and the main thread waiting for one, polls before sleeping (ms). A sleeping
 * thread on a virtual machine takes 0.1–0.3 ms to wake, as long as the product it was woken for;
 * a training step's products come less than 2 ms apart, so a busy worker never sleeps (measured
 * on the 256×3073·3073×10 product: 35 GFLOP/s on two threads polling 0.5 ms, 52–60 polling 2 ms).
 */
const SPIN_MS = 2;
/**
 * Products with fewer multiply-adds than this run on one thread, in a module with its own
 * (unshared) memory, as do all elementwise kernels. Splitting pays only for large products: a
 * shared memory costs twice as much to copy operands into (V8 copies a SharedArrayBuffer with
 * atomic-safe loops) and the worker reads its half from the other core's cache. Measured in a
 * training epoch: X·W (256×3073·3073×10, 7.9 M) took 0.33 ms on one thread and 0.41–0.51 ms split
 * in two; the two-layer net's products (79 M) take about 40 % less time on two.
 */
const MIN_PARALLEL_WORK = 1 << 24;

/**
 * What every worker runs (plain JavaScript): `serve(data, ready)` instantiates the same kernels on
 * the shared memory, says it is ready, then sleeps on `control[0]` until the main thread posts a
 * job into its slot of `control` (the kernel and its arguments), runs it, and counts itself done
 * in `control[1]`. A front end prepends how the worker gets `data` and says `ready`.
 */
export const WORKER_LOOP = `
const SLOT = ${SLOT}, SPIN_MS = ${SPIN_MS};
function serve({ bytes, memory, control, slot }, ready) {
  const kernels = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
  const byJob = [null, kernels.dotRows, kernels.rowsTimes, kernels.transposedTimes, kernels.blockedProduct];
  const c = new Int32Array(control);
  ready();
  let seen = 0;
  for (;;) {
    // Spin a little before sleeping: waking a sleeping thread costs more than a small product.
    for (const until = performance.now() + SPIN_MS; Atomics.load(c, 0) === seen && performance.now() < until;);
    Atomics.wait(c, 0, seen);
    seen = Atomics.load(c, 0);
    const at = 4 + slot * SLOT;
    const job = c[at];
    try {
      if (job !== 0) byJob[job](...c.subarray(at + 1, at + SLOT));
    } catch (error) {
      Atomics.store(c, 2, 1);
    }
    if (job !== 0) { Atomics.add(c, 1, 1); Atomics.notify(c, 1); }
  }
}`;

/** What a worker is given: the module's bytes, the shared memory and control block, its slot. */
export interface WorkerData {
  bytes: Uint8Array;
  memory: WasmMemory;
  control: SharedArrayBuffer;
  slot: number;
}

/** A started worker, as the front end made it. */
export interface WorkerHandle {
  terminate(): unknown;
}

/** How a platform starts workers and how its main thread waits for them. */
export interface ThreadPlatform {
  /** The name used in messages: "enableThreads". */
  readonly name: string;
  /** Starts one worker on `data`; resolves once it is ready. */
  start(data: WorkerData): Promise<WorkerHandle>;
  /** Blocks until `control[index]` is no longer `value` (after polling SPIN_MS), or returns at once if it cannot block. */
  block(control: Int32Array, index: number, value: number): void;
}

/**
 * Splits each product's output rows between this thread and `threads − 1` workers that share the
 * module's memory. Only products of at least MIN_PARALLEL_WORK multiply-adds come here (the
 * kernels route the rest, and every elementwise op, to a single-threaded module).
 */
class ThreadedRunner {
  constructor(
    readonly threads: number,
    private readonly local: KernelExports,
    private readonly control: Int32Array,
    private readonly workers: readonly WorkerHandle[],
    private readonly platform: ThreadPlatform,
  ) {}

  /** Posts one job per worker, runs the first part here, and waits for the others. */
  private run(job: 1 | 2 | 3 | 4, parts: number[][], mine: () => void): void {
    const c = this.control;
    Atomics.store(c, 1, 0);
    parts.forEach((args, slot) => {
      const at = 4 + slot * SLOT;
      c[at] = job;
      args.forEach((v, i) => (c[at + 1 + i] = v));
    });
    for (let slot = parts.length; slot < this.workers.length; slot++) c[4 + slot * SLOT] = 0;
    Atomics.add(c, 0, 1);
    Atomics.notify(c, 0);
    mine();
    for (const until = performance.now() + SPIN_MS; Atomics.load(c, 1) < this.workers.length && performance.now() < until;);
    for (let done = Atomics.load(c, 1); done < this.workers.length; done = Atomics.load(c, 1)) this.platform.block(c, 1, done);
    if (Atomics.exchange(c, 2, 0) !== 0) throw new ValueError(`${this.platform.name}: a worker thread failed in a matrix product`);
  }

  /** Row boundaries splitting `rows` into `threads` parts, each a multiple of `align`. */
  private split(rows: number, align: number): number[] {
    const bounds = [0];
    for (let t = 1; t < this.threads; t++) bounds.push(Math.min(rows, Math.floor((rows * t) / this.threads / align) * align));
    bounds.push(rows);
    return bounds;
  }

  dotRows(a: number, b: number, c: number, m: number, k: number, n: number): void {
    if (m < 4 * this.threads) return this.local.dotRows(a, b, c, m, k, n);
    const at = this.split(m, 4);
    const parts = at.slice(1, -1).map((start, t) => [a + start * k * 4, b, c + start * n * 4, at[t + 2]! - start, k, n]);
    this.run(1, parts, () => this.local.dotRows(a, b, c, at[1]!, k, n));
  }

  rowsTimes(a: number, b: number, c: number, m: number, k: number, n: number): void {
    if (m < 2 * this.threads) return this.local.rowsTimes(a, b, c, m, k, n);
    const at = this.split(m, 2);
    const parts = at.slice(1, -1).map((start, t) => [a + start * k * 4, b, c + start * n * 4, at[t + 2]! - start, k, n]);
    this.run(2, parts, () => this.local.rowsTimes(a, b, c, at[1]!, k, n));
  }

  /** Each thread packs its own 16·k-float panel: `scratch` holds one per thread, side by side. */
  transposedTimes(a: number, lda: number, b: number, c: number, m: number, k: number, n: number, scratch: number): void {
    if (m < 16 * this.threads) return this.local.transposedTimes(a, lda, b, c, m, k, n, scratch);
    const at = this.split(m, 16);
    const panel = 16 * k * 4;
    const parts = at.slice(1, -1).map((start, t) => [a + start * 4, lda, b, c + start * n * 4, at[t + 2]! - start, k, n, scratch + (t + 1) * panel]);
    this.run(3, parts, () => this.local.transposedTimes(a, lda, b, c, at[1]!, k, n, scratch));
  }

  /** Each thread takes a band of C's rows (a multiple of 4) and packs into its own panels, side by side after the first's. */
  blockedProduct(a: number, lda: number, transA: boolean, b: number, ldb: number, transB: boolean, c: number, ldc: number,
    m: number, k: number, n: number, add: boolean, packedA: number, packedB: number): void {
    if (m < 8 * this.threads) return this.local.blockedProduct(a, lda, transA, b, ldb, transB, c, ldc, m, k, n, add, packedA, packedB);
    const at = this.split(m, 4);
    const parts = at.slice(1, -1).map((start, t) => [
      transA ? a + start * 4 : a + start * lda * 4, lda, +transA, b, ldb, +transB, c + start * ldc * 4, ldc, at[t + 2]! - start, k, n, +add,
      packedA + (t + 1) * PACKED_A_FLOATS * 4, packedB + (t + 1) * PACKED_B_FLOATS * 4,
    ]);
    this.run(4, parts, () => this.local.blockedProduct(a, lda, transA, b, ldb, transB, c, ldc, at[1]!, k, n, add, packedA, packedB));
  }

  terminate(): Promise<unknown> {
    return Promise.all(this.workers.map((w) => w.terminate()));
  }
}

let active: { runner: ThreadedRunner; previous: Kernels } | null = null;

/**
 * Starts `threads − 1` workers on `platform`, then makes the kernels split every large float32
 * product between them and this thread (same bits as one thread). Resolves to the kernels it
 * replaced; `stopThreads()` undoes it.
 */
export async function startThreads(threads: number, platform: ThreadPlatform): Promise<Kernels> {
  if (!Number.isInteger(threads) || threads < 1 || threads > 16) throw new ValueError(`${platform.name}: threads must be an integer in [1, 16], got ${threads}`);
  stopThreads();
  const alone = singleThreadWasm(); // the small products and the elementwise kernels
  const wasm = webAssembly;
  if (!alone || !wasm) throw new ValueError(`${platform.name}: WebAssembly SIMD is not available here`);
  const bytes = decodeBase64(KERNELS_SHARED_WASM_BASE64);
  const memory = new wasm.Memory({ initial: 1, maximum: 16384, shared: true });
  const local = new wasm.Instance(new wasm.Module(bytes), { env: { memory } }).exports as unknown as KernelExports;
  const control = new Int32Array(new SharedArrayBuffer(4 * (4 + SLOT * 16)));
  const started = await Promise.allSettled(Array.from({ length: threads - 1 }, (_, slot) => platform.start({ bytes, memory, control: control.buffer as SharedArrayBuffer, slot })));
  const workers = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failure = started.find((s) => s.status === "rejected");
  if (failure) {
    for (const w of workers) void w.terminate(); // none is left running when one could not start
    throw failure.reason;
  }
  const runner = new ThreadedRunner(threads, local, control, workers, platform);
  // The products go through the runner; the transposes that lay out their operands run here.
  const kernels: KernelRunner = {
    ...local,
    threads,
    dotRows: (...args) => runner.dotRows(...args),
    rowsTimes: (...args) => runner.rowsTimes(...args),
    transposedTimes: (...args) => runner.transposedTimes(...args),
    blockedProduct: (...args) => runner.blockedProduct(...args),
  };
  const parallel = { wasm: new WasmKernels(memory, kernels), minWork: MIN_PARALLEL_WORK };
  const previous = setKernels(kernelsWith(alone, `wasm-simd × ${threads} threads`, parallel));
  active = { runner, previous };
  return previous;
}

/** Stops the worker threads and restores the kernels that were active before `startThreads`. */
export function stopThreads(): void {
  if (!active) return;
  setKernels(active.previous);
  void active.runner.terminate();
  active = null;
}
