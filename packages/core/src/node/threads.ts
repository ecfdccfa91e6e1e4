import { once } from "node:events";
import { Worker } from "node:worker_threads";
import type { Kernels } from "../kernels/types.js";
import { type ThreadPlatform, WORKER_LOOP, startThreads, stopThreads } from "../kernels/wasm/threads.js";

/** A worker_thread's start: its data comes as workerData, "ready" goes to the parent. */
const NODE_WORKER = `${WORKER_LOOP}
const { workerData, parentPort } = require("node:worker_threads");
serve(workerData, () => parentPort.postMessage("ready"));`;

const node: ThreadPlatform = {
  name: "enableThreads",
  async start(data) {
    // execArgv: [] so that a parent's --input-type=module does not turn this CommonJS source into a module.
    const worker = new Worker(NODE_WORKER, { eval: true, execArgv: [], workerData: data });
    await Promise.race([once(worker, "message"), once(worker, "error").then(([e]) => { throw e; })]);
    worker.unref(); // an idle worker does not keep the process alive
    return worker;
  },
  block(control, index, value) {
    Atomics.wait(control, index, value);
  },
};

/**
 * Runs the float32 matrix products on `threads` threads (this one and worker_threads sharing the
 * WebAssembly memory): each large product's output rows are split between them, with the same
 * bits as one thread. The default kernels are single-threaded. Resolves, once the workers run, to
 * the kernels it replaced; `disableThreads()` undoes it. (In a browser: `@slope/core/browser`.)
 */
export function enableThreads({ threads = 2 }: { threads?: number } = {}): Promise<Kernels> {
  return startThreads(threads, node);
}

/** Stops the worker threads and restores the kernels that were active before `enableThreads`. */
export function disableThreads(): void {
  stopThreads();
}
