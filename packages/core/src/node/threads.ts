import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { ValueError } from "../errors.js";
import type { Kernels } from "../kernels/types.js";
import { type ThreadPlatform, WORKER_LOOP, startThreads, stopThreads, threadCount } from "../kernels/wasm/threads.js";

/** A worker_thread's start: its data comes as workerData, "ready" goes to the parent. */
const NODE_WORKER = `${WORKER_LOOP}
const { workerData, parentPort } = require("node:worker_threads");
serve(workerData, () => parentPort.postMessage("ready"));`;

/** How long a worker may take to start and say it is ready (ms): nothing waits forever. */
const START_TIMEOUT_MS = 30_000;

/** worker_threads as a ThreadPlatform (exported for tests that start threads their own way). @internal */
export const nodeThreads: ThreadPlatform = {
  name: "enableThreads",
  async start(data) {
    // execArgv: [] so that a parent's --input-type=module does not turn this CommonJS source into a module.
    const worker = new Worker(NODE_WORKER, { eval: true, execArgv: [], workerData: data });
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        once(worker, "message"),
        once(worker, "error").then(([e]) => {
          throw new ValueError(`enableThreads: a worker thread failed to start: ${String(e)}`);
        }),
        once(worker, "exit").then(([code]) => {
          throw new ValueError(`enableThreads: a worker thread exited (code ${code}) before it was ready`);
        }),
        new Promise((_, reject) => {
          const late = () => {
            reject(new ValueError(`enableThreads: a worker thread was not ready after ${START_TIMEOUT_MS} ms`));
          };
          timer = setTimeout(late, START_TIMEOUT_MS);
        }),
      ]);
    } catch (error) {
      void worker.terminate();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    worker.unref(); // an idle worker does not keep the process alive
    return worker;
  },
  block(control, index, value, timeoutMs) {
    Atomics.wait(control, index, value, timeoutMs);
  },
};

/**
 * Runs the float32 matrix products on `threads` threads (this one and worker_threads sharing the
 * WebAssembly memory): each large product's output rows are split between them, with the same
 * bits as one thread. The default kernels are single-threaded. Resolves, once the workers run, to
 * the kernels it replaced; `disableThreads()` undoes it. (In a browser: `@slope/core/browser`.)
 */
export function enableThreads(options?: { threads?: number }): Promise<Kernels> {
  try {
    return startThreads(threadCount(options, nodeThreads.name), nodeThreads);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Stops the worker threads and restores the kernels that were active before `enableThreads`. */
export function disableThreads(): void {
  stopThreads();
}
