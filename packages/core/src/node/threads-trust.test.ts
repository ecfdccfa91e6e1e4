// Threads that die, starve or are started twice never hang or leak; bad options and products too large for the
// shared memory are named errors or fallbacks (issue #15).
import { Worker } from "node:worker_threads";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { randn } from "../create.js";
import { ThreadError, ValueError } from "../errors.js";
import { kernels } from "../kernels/registry.js";
import { decodeBase64 } from "../encoding.js";
import { type ThreadPlatform, WORKER_LOOP, startThreads, stopThreads } from "../kernels/wasm/threads.js";
import { KERNELS_WASM_BASE64 } from "../kernels/wasm/module.js";
import { KernelMemory } from "../kernels/wasm/kernel-memory.js";
import { kernelsWith, singleThreadWasm } from "../kernels/wasm/wasm-backend.js";
import { type KernelExports, WasmKernels, type WasmMemory, vectors } from "../kernels/wasm/wasm-kernels.js";
import type { WebAssemblyGlobal } from "../kernels/wasm/webassembly.js";
import { matmul } from "../ops/matmul.js";
import { Rng } from "../rng.js";
import { disableThreads, enableThreads, nodeThreads } from "./threads.js";

/** The platform's WebAssembly global, typed as core types it (core has no DOM typings). */
const WebAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyGlobal }).WebAssembly;

afterEach(() => disableThreads());

/** Fails with the first index where two float arrays differ in their bits. */
function expectSameBits(actual: Float32Array | Float64Array, expected: Float32Array | Float64Array): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect.fail(`index ${i}: expected ${expected[i]}, got ${actual[i]}`);
  }
}

/** A platform whose workers run `source` (WORKER_LOOP changed by the test) and that keeps their handles. */
function platformRunning(
  change: (loop: string) => string,
  started: Worker[] = [],
  exited = new Set<Worker>(),
): ThreadPlatform {
  const source = `${change(WORKER_LOOP)}
const { workerData, parentPort } = require("node:worker_threads");
serve(workerData, () => parentPort.postMessage("ready"));`;
  return {
    ...nodeThreads,
    async start(data) {
      const worker = new Worker(source, { eval: true, execArgv: [], workerData: data });
      await new Promise((resolve) => worker.once("message", resolve));
      worker.unref();
      worker.once("exit", () => exited.add(worker));
      started.push(worker);
      return worker;
    },
  };
}

// 1024·128·160 = 21 M multiply-adds: split between the threads.
const rng = new Rng("threads trust");
const a = randn([1024, 128], { rng }),
  b = randn([128, 160], { rng });
const single = matmul(a, b).data.slice();

describe("threads never hang", () => {
  it("a worker that has died is worked around: its part runs on the main thread, with the same bits", async () => {
    const workers: Worker[] = [];
    await startThreads(
      2,
      platformRunning((loop) => loop, workers),
    );
    await workers[0]!.terminate();
    const began = performance.now();
    for (let i = 0; i < 3; i++) expectSameBits(matmul(a, b).data, single);
    expect(performance.now() - began).toBeLessThan(2000);
  });

  it("a worker that is never scheduled costs no waiting: the main thread steals its part (same bits)", async () => {
    // The worker sleeps instead of looking at its slot, as one the operating system does not run.
    await startThreads(
      2,
      platformRunning((loop) =>
        loop.replace(
          "seen = Atomics.load(c, 0);",
          "seen = Atomics.load(c, 0); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000);",
        ),
      ),
    );
    expect(kernels().name).toBe("wasm-simd × 2 threads");
    const began = performance.now();
    for (let i = 0; i < 20; i++) expectSameBits(matmul(a, b).data, single);
    expect(performance.now() - began).toBeLessThan(3000);
  });

  it("a worker dying in the middle of its part is a ThreadError within seconds, and the threads turn off", async () => {
    await startThreads(
      2,
      platformRunning((loop) => loop.replace("byJob[job](", "process.exit(3); byJob[job](")),
    );
    // The worker may be slow to wake: retry until it has taken a part (at most a few products).
    const began = performance.now();
    let error: unknown;
    for (let i = 0; i < 200 && error === undefined; i++) {
      try {
        expectSameBits(matmul(a, b).data, single);
      } catch (e) {
        error = e;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(error).toBeInstanceOf(ThreadError);
    expect(String(error)).toMatch(/did not finish its part/);
    expect(performance.now() - began).toBeLessThan(10_000);
    expect(kernels().name).toBe("wasm-simd");
    expectSameBits(matmul(a, b).data, single);
  });

  it("two un-awaited enableThreads calls leave one pool, which disableThreads stops", async () => {
    const started: Worker[] = [],
      exited = new Set<Worker>();
    const platform = platformRunning((loop) => loop, started, exited);
    const first = startThreads(2, platform),
      second = startThreads(3, platform);
    await Promise.all([first, second]);
    expect(kernels().name).toBe("wasm-simd × 3 threads");
    expect(started.length).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(exited.size).toBe(1); // the overtaken call's worker
    stopThreads();
    expect(kernels().name).toBe("wasm-simd");
    for (let i = 0; i < 50 && exited.size < 3; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(exited.size).toBe(3);
  });

  it("disableThreads while enableThreads is starting cancels the start", async () => {
    const pending = enableThreads({ threads: 2 });
    disableThreads();
    await pending;
    expect(kernels().name).toBe("wasm-simd");
  });
});

describe("enableThreads options", () => {
  it("null, a non-object or an unknown option name is a ValueError, not a raw TypeError", async () => {
    await expect(enableThreads(null as never)).rejects.toThrow(ValueError);
    await expect(enableThreads(null as never)).rejects.toThrow(/options object.*got null/);
    await expect(enableThreads(4 as never)).rejects.toThrow(ValueError);
    await expect(enableThreads({ thread: 2 } as never)).rejects.toThrow(/unknown option "thread"/);
    await expect(enableThreads({ threads: "2" } as never)).rejects.toThrow(/threads must be an integer/);
  });
});

describe("products the memory cannot hold", () => {
  it("a product whose operands exceed what the shared memory can grow to falls back, with one thread's bits", () => {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(decodeBase64(KERNELS_WASM_BASE64)), {});
    const exports = instance.exports as unknown as KernelExports & { memory: WasmMemory };
    // A memory at its maximum: growing throws the RangeError the 2 GiB shared memory throws.
    const full: WasmMemory = {
      get buffer() {
        return exports.memory.buffer;
      },
      grow() {
        throw new RangeError("WebAssembly.Memory.grow(): Maximum memory size exceeded");
      },
    };
    const cramped = new WasmKernels(new KernelMemory(full, exports, "copy"), { ...exports, threads: 1 }, "threads");
    const big = randn([1024, 512], { rng }),
      w = randn([512, 64], { rng });
    const out = new Float32Array(1024 * 64);
    expect(cramped.matmul(out, 0, big.data, 0, w.data, 0, 1024, 512, 64, false, false)).toBe(false);
    const via = kernelsWith(singleThreadWasm()!, "test", { wasm: cramped, minWork: 0, minElements: 0 });
    via.matmul(out, 0, big.data, 0, w.data, 0, 1024, 512, 64, false, false);
    expectSameBits(out, matmul(big, w).data);
  });

  it("scratch sizes round up to whole vectors without wrapping at 32 bits", () => {
    expect(vectors(2 ** 31 + 1)).toBe(2 ** 31 + 4);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (n) => {
        const v = vectors(n);
        return v >= n && v - n < 4 && v % 4 === 0;
      }),
    );
  });
});

describe("a failed WebAssembly instantiation", () => {
  it("does not disable WebAssembly for the rest of the process, and enableThreads says what really failed", async () => {
    const wasm = WebAssembly as unknown as { Instance: unknown };
    const original = wasm.Instance;
    wasm.Instance = class {
      constructor() {
        throw new RangeError("WebAssembly.Instance(): Out of memory: Cannot allocate Wasm memory for new instance");
      }
    };
    // A process whose kernel memory is not made yet: the modules loaded afresh.
    vi.resetModules();
    const backend = await import("../kernels/wasm/wasm-backend.js");
    const threads = await import("./threads.js");
    try {
      expect(backend.singleThreadWasm()).toBeNull();
      expect(backend.wasmFailure()).toMatch(/Out of memory/);
      await expect(threads.enableThreads({ threads: 2 })).rejects.toThrow(/Out of memory/);
    } finally {
      wasm.Instance = original;
    }
    try {
      expect(backend.singleThreadWasm()).not.toBeNull();
      expect(backend.wasmFailure()).toBeNull();
      await threads.enableThreads({ threads: 2 });
      const registry = await import("../kernels/registry.js");
      expect(registry.kernels().name).toBe("wasm-simd × 2 threads");
    } finally {
      threads.disableThreads();
    }
  });

  it("at start-up does not leave the process on the JavaScript kernels: they are tried again and taken", async () => {
    vi.resetModules();
    const wasm = WebAssembly as unknown as { Instance: unknown };
    const original = wasm.Instance;
    wasm.Instance = class {
      constructor() {
        throw new RangeError("WebAssembly.Instance(): Out of memory: Cannot allocate Wasm memory for new instance");
      }
    };
    let registry: typeof import("../kernels/registry.js");
    try {
      registry = await import("../kernels/registry.js");
      expect(registry.kernels().name).not.toMatch(/wasm/);
    } finally {
      wasm.Instance = original;
    }
    const now = Date.now();
    const clock = vi.spyOn(Date, "now").mockReturnValue(now + 5000);
    try {
      expect(registry.kernels().name).toBe("wasm-simd");
    } finally {
      clock.mockRestore();
    }
  });
});
