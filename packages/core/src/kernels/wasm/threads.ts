import { ThreadError, ValueError } from "../../errors.js";
import { decodeBase64 } from "../../encoding.js";
import { kernels, setKernels } from "../registry.js";
import type { Kernels } from "../types.js";
import { KERNELS_SHARED_WASM_BASE64 } from "./module.js";
import { type KernelMemory, kernelMemory, sharedKernelsModule } from "./kernel-memory.js";
import { placementPolicy } from "./policy.js";
import { kernelsWith, singleThreadWasm, wasmFailure } from "./wasm-backend.js";
import {
  type KernelExports,
  type KernelRunner,
  PACKED_A_FLOATS,
  PACKED_B_FLOATS,
  WasmKernels,
  type WasmMemory,
} from "./wasm-kernels.js";

// The threaded kernels, for any platform: the Node front end (src/node/threads.ts) starts
// worker_threads, the browser one (src/browser/threads.ts) Web Workers; both run WORKER_LOOP.

/**
 * Int32s per part in the control block, after its 4-word header (0: the posting count, 1: parts finished by workers,
 * 2: a worker failed): the job (1 dotRows, 2 rowsTimes, 3 transposedTimes, 4 blockedProduct, 5 binary, 6 unary,
 * 7 axpy, 8 gatherBytesToFloats, 9 conv2dImages, 10 conv2dBackwardInputImages, 11–13 batch norm's kernels,
 * 14 maxPool2x2), its arguments in the kernel's own order (at most 14 words; a float64 one, at the position
 * FLOAT_ARGUMENT gives, goes to F64_WORD instead), and the part's claim (CLAIM, see WORKER_LOOP).
 */
const SLOT = 16;
/** Where a job's one float64 argument (axpy's α, a gather's scale) sits in its slot: words 12 and 13, 8-byte aligned. */
const F64_WORD = 12;
/** The jobs with a float64 argument, and its position in the kernel's arguments (axpy's α, the gather's scale). */
const FLOAT_ARGUMENT: Readonly<Record<number, number>> = { 7: 1, 8: 5 };
/** Where a part's claim sits in its slot: 0 nothing posted, 1 posted and free, 2 taken (by its worker or stolen). */
const CLAIM = 15;
/**
 * How long a worker, and the main thread waiting for one, polls before sleeping (ms). A sleeping
 * thread on a virtual machine takes about as long to wake as the product it was woken for, and a
 * training step's products come less than SPIN_MS apart, so a busy worker never sleeps (measured on
 * the 256×3073·3073×10 product with shorter polls: bench/README.md, "Measured in code comments").
 */
const SPIN_MS = 2;
/**
 * How long the main thread waits for a part a worker has taken, beyond FINISH_FACTOR times what its own parts took,
 * before it gives up on that worker (ms): a worker that died in the middle of a part never counts it done.
 */
const FINISH_GRACE_MS = 3000;
/** A worker's part is the same size as the main thread's: waiting for more than this many times as long means it died. */
const FINISH_FACTOR = 50;

/**
 * What every worker runs (plain JavaScript): `serve(data, ready)` instantiates the same kernels on
 * the shared memory, says it is ready, then sleeps on `control[0]` until the main thread posts a
 * job into its slot of `control` (the kernel and its arguments). It runs the job only if it wins
 * the part's claim (compare-exchange 1 → 2): the main thread, once done with its own part, takes
 * every part no worker has started yet the same way (work stealing), so a worker that the operating
 * system does not schedule, or that died, never makes a product wait. A worker counts the parts it
 * ran in `control[1]`. A front end prepends how the worker gets `data` and says `ready`.
 */
export const WORKER_LOOP = `
const SLOT = ${SLOT}, CLAIM = ${CLAIM}, SPIN_MS = ${SPIN_MS}, F64_WORD = ${F64_WORD};
const FLOAT_ARGUMENT = ${JSON.stringify(FLOAT_ARGUMENT)};
function serve({ bytes, memory, control, slot }, ready) {
  const kernels = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
  const c = new Int32Array(control), f = new Float64Array(control);
  const byJob = [null, kernels.dotRows, kernels.rowsTimes, kernels.transposedTimes, kernels.blockedProduct,
    kernels.binary, kernels.unary, kernels.axpy, kernels.gatherBytesToFloats, kernels.conv2dImages, kernels.conv2dBackwardInputImages,
    kernels.channelMoments, kernels.batchNormApply, kernels.batchNormGradients, kernels.maxPool2x2];
  ready();
  let seen = 0;
  for (;;) {
    // Spin a little before sleeping: waking a sleeping thread costs more than a small product.
    for (const until = performance.now() + SPIN_MS; Atomics.load(c, 0) === seen && performance.now() < until;);
    Atomics.wait(c, 0, seen);
    seen = Atomics.load(c, 0);
    const at = 4 + slot * SLOT;
    if (Atomics.compareExchange(c, at + CLAIM, 1, 2) !== 1) continue; // nothing posted, or the main thread took it
    try {
      const job = c[at], args = Array.from(c.subarray(at + 1, at + CLAIM));
      if (job in FLOAT_ARGUMENT) args[FLOAT_ARGUMENT[job]] = f[(at + F64_WORD) / 2]; // its word holds a placeholder
      byJob[job](...args);
    } catch (error) {
      Atomics.store(c, 2, 1);
    }
    Atomics.add(c, 1, 1);
    Atomics.notify(c, 1);
  }
}`;

/** The kernel of each job number a part is posted with (the worker's `byJob` above, in the same order). */
const JOB_KERNELS = {
  1: "dotRows",
  2: "rowsTimes",
  3: "transposedTimes",
  4: "blockedProduct",
  5: "binary",
  6: "unary",
  7: "axpy",
  8: "gatherBytesToFloats",
  9: "conv2dImages",
  10: "conv2dBackwardInputImages",
  11: "channelMoments",
  12: "batchNormApply",
  13: "batchNormGradients",
  14: "maxPool2x2",
} as const;
type Job = keyof typeof JOB_KERNELS;
/** The jobs split into bands of channels or planes (`ThreadedRunner.banded`). */
type BandedJob = 11 | 12 | 13 | 14;
/** Elements per part of a split elementwise op are a multiple of this (whole 16-byte vectors, 64-byte lines). */
const ELEMENT_ALIGN = 16;

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
  /**
   * Blocks until `control[index]` is no longer `value` or `timeoutMs` have passed, or returns at once if it cannot
   * block (a page's main thread): the caller polls.
   */
  block(control: Int32Array, index: number, value: number, timeoutMs: number): void;
}

/**
 * Splits each product's output rows, and each elementwise op's elements, between this thread and `threads − 1`
 * workers that run on the kernel memory itself. Only products and ops large enough by the placement policy
 * (policy.ts) come here; the rest run on this thread's instance over the same memory.
 */
class ThreadedRunner {
  constructor(
    readonly threads: number,
    private readonly local: KernelExports,
    private readonly control: Int32Array,
    private readonly workers: readonly WorkerHandle[],
    private readonly platform: ThreadPlatform,
    /** The kernel memory, where a convolution's geometry is read from. */
    private readonly memory: KernelMemory,
  ) {
    this.doubles = new Float64Array(control.buffer);
  }

  /** The control block as float64s, for a job's one float64 argument (axpy's α, a gather's scale; see F64_WORD). */
  private readonly doubles: Float64Array;

  /** Called once when a worker is given up on (the threads are then stopped). */
  onAbandon: () => void = () => {};

  /** Runs a posted part here: the kernel of `job` on its arguments. */
  private runHere(job: Job, args: readonly number[]): void {
    const l = this.local as unknown as Record<(typeof JOB_KERNELS)[Job], (...a: number[]) => void>;
    l[JOB_KERNELS[job]](...args);
  }

  /**
   * Posts one part per worker, runs the first part here, then takes every part whose worker has not started it
   * (compare-exchange on its claim) and runs it here too: each part is a band of output rows computed the same way on
   * any thread, so the bits do not depend on who ran it. Then waits, with a bound, for the parts workers took.
   */
  private run(job: Job, parts: number[][], mine: () => void): void {
    const c = this.control;
    Atomics.store(c, 1, 0);
    parts.forEach((args, slot) => {
      const at = 4 + slot * SLOT;
      c[at] = job;
      args.forEach((v, i) => {
        c[at + 1 + i] = v;
      });
      // A float64 argument (axpy's α, a gather's scale) goes to F64_WORD (8-byte aligned: `at` is even).
      const real = FLOAT_ARGUMENT[job];
      if (real !== undefined) this.doubles[(at + F64_WORD) / 2] = args[real]!;
      Atomics.store(c, at + CLAIM, 1); // published after its arguments
    });
    Atomics.add(c, 0, 1);
    Atomics.notify(c, 0);
    const started = performance.now();
    // Every posted part is taken or finished before this returns, even when a part run here throws: a part left
    // posted would be run later, over the next product's arguments.
    let failure: { error: unknown } | null = null;
    const attempt = (run: () => void) => {
      if (failure !== null) return;
      try {
        run();
      } catch (error) {
        failure = { error };
      }
    };
    attempt(mine);
    let takenByWorkers = parts.length;
    parts.forEach((args, slot) => {
      if (Atomics.compareExchange(c, 4 + slot * SLOT + CLAIM, 1, 2) !== 1) return;
      takenByWorkers--;
      attempt(() => this.runHere(job, args));
    });
    const ownMs = performance.now() - started;
    if (takenByWorkers > 0) {
      const until = performance.now() + Math.min(SPIN_MS, ownMs);
      while (Atomics.load(c, 1) < takenByWorkers && performance.now() < until);
      const deadline = performance.now() + FINISH_GRACE_MS + FINISH_FACTOR * ownMs;
      for (let done = Atomics.load(c, 1); done < takenByWorkers; done = Atomics.load(c, 1)) {
        const left = deadline - performance.now();
        if (left <= 0) {
          this.onAbandon();
          throw new ThreadError(
            `${this.platform.name}: a worker thread did not finish its part of a kernel call in ` +
              `${Math.round(FINISH_GRACE_MS + FINISH_FACTOR * ownMs)} ms (it died or was stopped): the threads are now ` +
              "disabled and the next calls run on this thread. A worker that was only stalled may still write its " +
              "part into the call's output when it resumes: recompute what this call was making (a reused step: " +
              "start a new reuseBuffers step rather than calling this one again)",
          );
        }
        this.platform.block(c, 1, done, left);
      }
    }
    if (failure !== null) throw (failure as { error: unknown }).error;
    if (Atomics.exchange(c, 2, 0) !== 0)
      throw new ValueError(`${this.platform.name}: a worker thread failed in a kernel call`);
  }

  /** Row boundaries splitting `rows` into `threads` parts, each a multiple of `align`. */
  private split(rows: number, align: number): number[] {
    const bounds = [0];
    for (let t = 1; t < this.threads; t++)
      bounds.push(Math.min(rows, Math.floor((rows * t) / this.threads / align) * align));
    bounds.push(rows);
    return bounds;
  }

  dotRows(a: number, b: number, c: number, m: number, k: number, n: number): void {
    if (m < 4 * this.threads) {
      this.local.dotRows(a, b, c, m, k, n);
      return;
    }
    const at = this.split(m, 4);
    const parts = at
      .slice(1, -1)
      .map((start, t) => [a + start * k * 4, b, c + start * n * 4, at[t + 2]! - start, k, n]);
    this.run(1, parts, () => this.local.dotRows(a, b, c, at[1]!, k, n));
  }

  rowsTimes(a: number, b: number, c: number, m: number, k: number, n: number): void {
    if (m < 2 * this.threads) {
      this.local.rowsTimes(a, b, c, m, k, n);
      return;
    }
    const at = this.split(m, 2);
    const parts = at
      .slice(1, -1)
      .map((start, t) => [a + start * k * 4, b, c + start * n * 4, at[t + 2]! - start, k, n]);
    this.run(2, parts, () => this.local.rowsTimes(a, b, c, at[1]!, k, n));
  }

  /** Each thread packs its own 16·k-float panel: `scratch` holds one per thread, side by side. */
  transposedTimes(
    a: number,
    lda: number,
    b: number,
    c: number,
    m: number,
    k: number,
    n: number,
    scratch: number,
  ): void {
    if (m < 16 * this.threads) {
      this.local.transposedTimes(a, lda, b, c, m, k, n, scratch);
      return;
    }
    const at = this.split(m, 16);
    const panel = 16 * k * 4;
    const parts = at
      .slice(1, -1)
      .map((start, t) => [
        a + start * 4,
        lda,
        b,
        c + start * n * 4,
        at[t + 2]! - start,
        k,
        n,
        scratch + (t + 1) * panel,
      ]);
    this.run(3, parts, () => this.local.transposedTimes(a, lda, b, c, at[1]!, k, n, scratch));
  }

  /** Each thread takes a band of C's rows (a multiple of 4) and packs into its own panels, side by side after the first's. */
  blockedProduct(
    a: number,
    lda: number,
    transA: boolean,
    b: number,
    ldb: number,
    transB: boolean,
    c: number,
    ldc: number,
    m: number,
    k: number,
    n: number,
    add: boolean,
    packedA: number,
    packedB: number,
  ): void {
    if (m < 8 * this.threads) {
      this.local.blockedProduct(a, lda, transA, b, ldb, transB, c, ldc, m, k, n, add, packedA, packedB);
      return;
    }
    const at = this.split(m, 4);
    const parts = at
      .slice(1, -1)
      .map((start, t) => [
        transA ? a + start * 4 : a + start * lda * 4,
        lda,
        +transA,
        b,
        ldb,
        +transB,
        c + start * ldc * 4,
        ldc,
        at[t + 2]! - start,
        k,
        n,
        +add,
        packedA + (t + 1) * PACKED_A_FLOATS * 4,
        packedB + (t + 1) * PACKED_B_FLOATS * 4,
      ]);
    this.run(4, parts, () =>
      this.local.blockedProduct(a, lda, transA, b, ldb, transB, c, ldc, at[1]!, k, n, add, packedA, packedB),
    );
  }

  /** [start, count] of each thread's part of n elements: bands of whole vectors, the last one taking the rest. */
  private elementParts(n: number): [number, number][] {
    const at = this.split(n, ELEMENT_ALIGN);
    return at.slice(0, -1).map((start, t) => [start, at[t + 1]! - start]);
  }

  /** c = a ∘ b over n elements, in bands; an operand with step 0 (one value repeated) stays where it is. */
  binary(op: number, a: number, aStep: number, b: number, bStep: number, c: number, n: number): void {
    if (n < placementPolicy.minParallelElements) {
      this.local.binary(op, a, aStep, b, bStep, c, n);
      return;
    }
    const parts = this.elementParts(n).map(([s, count]) => [
      op,
      a + s * aStep * 4,
      aStep,
      b + s * bStep * 4,
      bStep,
      c + s * 4,
      count,
    ]);
    const [mine, ...rest] = parts;
    this.run(5, rest, () => this.local.binary(...(mine as [number, number, number, number, number, number, number])));
  }

  /** c = f(x) over n elements, in bands. */
  unary(op: number, x: number, c: number, n: number): void {
    if (n < placementPolicy.minParallelElements) {
      this.local.unary(op, x, c, n);
      return;
    }
    const parts = this.elementParts(n).map(([s, count]) => [op, x + s * 4, c + s * 4, count]);
    const [mine, ...rest] = parts;
    this.run(6, rest, () => this.local.unary(...(mine as [number, number, number, number])));
  }

  /** y += α·x over n elements, in bands. */
  axpy(y: number, alpha: number, x: number, n: number): void {
    if (n < placementPolicy.minParallelElements) {
      this.local.axpy(y, alpha, x, n);
      return;
    }
    const parts = this.elementParts(n).map(([s, count]) => [y + s * 4, alpha, x + s * 4, count]);
    const [mine, ...rest] = parts;
    this.run(7, rest, () => this.local.axpy(...(mine as Parameters<KernelExports["axpy"]>)));
  }

  /** gatherBytesToFloats in bands of the rows: each thread converts its own rows. */
  gatherBytesToFloats(
    src: number,
    rows: number,
    count: number,
    cols: number,
    offset: number,
    scale: number,
    dst: number,
    dstStride: number,
  ): void {
    if (count * cols < placementPolicy.minParallelElements || count < 2 * this.threads) {
      this.local.gatherBytesToFloats(src, rows, count, cols, offset, scale, dst, dstStride);
      return;
    }
    const at = this.split(count, 1);
    const parts = at
      .slice(0, -1)
      .map((start, t) => [
        src,
        rows + start * 4,
        at[t + 1]! - start,
        cols,
        offset,
        scale,
        dst + start * dstStride * 4,
        dstStride,
      ]);
    const [mine, ...rest] = parts;
    this.run(8, rest, () =>
      this.local.gatherBytesToFloats(...(mine as Parameters<KernelExports["gatherBytesToFloats"]>)),
    );
  }

  /**
   * A convolution's images in bands, one per thread: each thread lays out its own images' fields and packs its own
   * panels, in the thread's share of `cols`, `packedA` and `packedB` (one after another; a share of `cols` is the
   * geometry's word 15, in floats).
   */
  private images(
    job: 9 | 10,
    run: (
      a: number,
      w: number,
      b: number,
      cols: number,
      pa: number,
      pb: number,
      shape: number,
      f: number,
      c: number,
    ) => void,
    [a, w, b, cols, packedA, packedB, shape, first, count]: number[],
  ): void {
    const colsBytes = 4 * new Int32Array(this.memory.heap().buffer, shape!, 16)[15]!;
    if (count! < 2) {
      run(a!, w!, b!, cols!, packedA!, packedB!, shape!, first!, count!);
      return;
    }
    const at = this.split(count!, 1);
    const parts = at
      .slice(0, -1)
      .map((start, t) => [
        a!,
        w!,
        b!,
        cols! + t * colsBytes,
        packedA! + t * PACKED_A_FLOATS * 4,
        packedB! + t * PACKED_B_FLOATS * 4,
        shape!,
        first! + start,
        at[t + 1]! - start,
      ]);
    const [mine, ...rest] = parts as [number, number, number, number, number, number, number, number, number][];
    this.run(job, rest, () => run(...mine!));
  }

  /** conv2dImages with the batch split into bands of images. */
  conv2dImages(...args: number[]): void {
    this.images(9, (...a) => this.local.conv2dImages(...a), args);
  }

  /** conv2dBackwardInputImages likewise. */
  conv2dBackwardInputImages(...args: number[]): void {
    this.images(10, (...a) => this.local.conv2dBackwardInputImages(...a), args);
  }

  /**
   * A kernel over bands of channels or planes, one per thread (each is computed alone: batch norm's channels, max
   * pooling's planes): `args` end with the band (first, count), which each thread gets its own of; the three
   * arguments from `sizesAt` are the work's [outer, channels, inner] (or [planes, height, width]).
   */
  banded(job: BandedJob, args: readonly (number | boolean)[], sizesAt: number): void {
    const words = args.map(Number); // batchNormGradients' `training` as 0 or 1
    const run = (...a: number[]) => (this.local[JOB_KERNELS[job]] as (...a: number[]) => void)(...a);
    const first = words.at(-2)!,
      count = words.at(-1)!;
    const work = words[sizesAt]! * words[sizesAt + 1]! * words[sizesAt + 2]!;
    if (work < placementPolicy.minParallelElements || count < 2 * this.threads) {
      run(...words);
      return;
    }
    const at = this.split(count, 1);
    const parts = at.slice(0, -1).map((start, t) => [...words.slice(0, -2), first + start, at[t + 1]! - start]);
    const [mine, ...rest] = parts;
    this.run(job, rest, () => run(...mine!));
  }

  terminate(): Promise<unknown> {
    return Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** The running threads and the kernels they replaced; null when none run. */
let pool: { runner: ThreadedRunner; previous: Kernels } | null = null;
/**
 * Counts every start and stop: a start whose workers come up after a later start or stop has been asked for stops
 * its own workers instead of installing them, so that un-awaited calls never leave a pool nobody can turn off.
 */
let epoch = 0;

/** The options `enableThreads` takes; throws a ValueError for anything else (null, unknown names, a bad count). */
export function threadCount(options: unknown, name: string): number {
  if (options === undefined) return 2;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ValueError(
      `${name}: expected an options object such as { threads: 2 }, got ${options === null ? "null" : typeof options}`,
    );
  }
  for (const key of Object.keys(options)) {
    if (key !== "threads") throw new ValueError(`${name}: unknown option "${key}" (expected: threads)`);
  }
  const threads = (options as { threads?: unknown }).threads ?? 2;
  if (typeof threads !== "number" || !Number.isInteger(threads) || threads < 1 || threads > 16) {
    throw new ValueError(`${name}: threads must be an integer in [1, 16], got ${String(threads)}`);
  }
  return threads;
}

/**
 * Starts `threads − 1` workers on `platform`, then makes the kernels split every large float32
 * product between them and this thread (same bits as one thread). Resolves to the kernels it
 * replaced; `stopThreads()` undoes it. A call overtaken by a later start or stop before its workers
 * are up stops them again and resolves to the kernels in use then.
 */
export async function startThreads(threads: number, platform: ThreadPlatform): Promise<Kernels> {
  threads = threadCount({ threads }, platform.name);
  stopThreads();
  const mine = ++epoch;
  const alone = singleThreadWasm(); // the small products and the elementwise kernels
  const memory = kernelMemory();
  if (!alone || !memory) {
    throw new ValueError(
      `${platform.name}: WebAssembly SIMD kernels could not be made here: ${wasmFailure() ?? "no WebAssembly"}`,
    );
  }
  // The workers run on the kernel memory itself, where the operands already live: nothing is copied to them.
  if (memory.policy !== "one memory" || sharedKernelsModule() === null) {
    throw new ValueError(
      `${platform.name}: threads need a shared WebAssembly memory, which this page cannot make ` +
        "(a browser page must be cross-origin isolated: Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy)",
    );
  }
  const bytes = decodeBase64(KERNELS_SHARED_WASM_BASE64);
  const local = memory.exports;
  const control = new Int32Array(new SharedArrayBuffer(4 * (4 + SLOT * 16)));
  const started = await Promise.allSettled(
    Array.from({ length: threads - 1 }, (_, slot) =>
      platform.start({ bytes, memory: memory.memory, control: control.buffer as SharedArrayBuffer, slot }),
    ),
  );
  const workers = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failure = started.find((s) => s.status === "rejected");
  if (failure || mine !== epoch) {
    for (const w of workers) void w.terminate(); // none is left running when one could not start, or when overtaken
    if (failure) throw failure.reason;
    return kernels();
  }
  const runner = new ThreadedRunner(threads, local, control, workers, platform, memory);
  runner.onAbandon = () => {
    if (pool?.runner === runner) stopThreads();
  };
  // The products go through the runner; the transposes that lay out their operands run here.
  const threadedKernels: KernelRunner = {
    ...local,
    threads,
    dotRows: (...args) => runner.dotRows(...args),
    rowsTimes: (...args) => runner.rowsTimes(...args),
    transposedTimes: (...args) => runner.transposedTimes(...args),
    blockedProduct: (...args) => runner.blockedProduct(...args),
    binary: (...args) => runner.binary(...args),
    unary: (...args) => runner.unary(...args),
    axpy: (...args) => runner.axpy(...args),
    gatherBytesToFloats: (...args) => runner.gatherBytesToFloats(...args),
    conv2dImages: (...args) => runner.conv2dImages(...args),
    conv2dBackwardInputImages: (...args) => runner.conv2dBackwardInputImages(...args),
    channelMoments: (...args) => runner.banded(11, args, 1),
    batchNormApply: (...args) => runner.banded(12, args, 3),
    batchNormGradients: (...args) => runner.banded(13, args, 3),
    maxPool2x2: (...args) => runner.banded(14, args, 3),
  };
  const parallel = {
    wasm: new WasmKernels(memory, threadedKernels, "threads"),
    minWork: placementPolicy.minParallelWork,
    minElements: placementPolicy.minParallelElements,
  };
  const previous = setKernels(kernelsWith(alone, `wasm-simd × ${threads} threads`, parallel));
  pool = { runner, previous };
  return previous;
}

/** Stops the worker threads and restores the kernels that were active before `startThreads`; cancels a pending start. */
export function stopThreads(): void {
  epoch++;
  if (!pool) return;
  setKernels(pool.previous);
  void pool.runner.terminate();
  pool = null;
}
