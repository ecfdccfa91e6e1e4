import { ValueError } from "../errors.js";
import type { Kernels } from "../kernels/types.js";
import { type ThreadPlatform, WORKER_LOOP, startThreads, stopThreads, threadCount } from "../kernels/wasm/threads.js";

// Browser globals, declared here so core needs no DOM typings.
declare const Worker: new (
  url: string,
) => {
  postMessage(message: unknown): void;
  terminate(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: { message?: string }) => void) | null;
};
declare const Blob: new (parts: string[], options: { type: string }) => object;
declare const URL: { createObjectURL(blob: object): string; revokeObjectURL(url: string): void };

/** How long a Web Worker may take to start and say it is ready (ms). */
const START_TIMEOUT_MS = 30_000;

/** A Web Worker's start: its data comes in the first message, "ready" goes back. */
const BROWSER_WORKER = `${WORKER_LOOP}
self.onmessage = (event) => { self.onmessage = null; serve(event.data, () => postMessage("ready")); };`;

const browser: ThreadPlatform = {
  name: "enableThreads",
  start(data) {
    const url = URL.createObjectURL(new Blob([BROWSER_WORKER], { type: "text/javascript" }));
    const worker = new Worker(url);
    return new Promise((resolve, reject) => {
      // Nothing waits forever: a worker that never says it is ready is stopped after START_TIMEOUT_MS.
      const timer = setTimeout(() => {
        URL.revokeObjectURL(url);
        worker.terminate();
        reject(new ValueError(`enableThreads: a Web Worker was not ready after ${START_TIMEOUT_MS} ms`));
      }, START_TIMEOUT_MS);
      worker.onmessage = () => {
        clearTimeout(timer);
        URL.revokeObjectURL(url);
        resolve(worker);
      };
      worker.onerror = (event) => {
        clearTimeout(timer);
        URL.revokeObjectURL(url);
        worker.terminate();
        reject(new ValueError(`enableThreads: a Web Worker failed to start: ${event.message ?? "unknown error"}`));
      };
      worker.postMessage(data);
    });
  },
  // A page's main thread may not block (Atomics.wait throws there): it polls until the workers finish.
  block() {},
};

/**
 * Runs the float32 matrix products on `threads` threads in a browser: this one and Web Workers
 * sharing the WebAssembly memory, with the same bits as one thread. Shared memory needs a
 * cross-origin isolated page (served with `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`); elsewhere this rejects with a ValueError saying so.
 * Resolves, once the workers run, to the kernels it replaced; `disableThreads()` undoes it.
 */
export function enableThreads(options?: { threads?: number }): Promise<Kernels> {
  let threads: number;
  try {
    threads = threadCount(options, browser.name);
  } catch (error) {
    return Promise.reject(error);
  }
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  if (isolated !== true || typeof SharedArrayBuffer !== "function") {
    return Promise.reject(
      new ValueError(
        `enableThreads: shared memory needs a cross-origin isolated page (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp); crossOriginIsolated is ${String(isolated)}`,
      ),
    );
  }
  return startThreads(threads, browser);
}

/** Stops the Web Workers and restores the kernels that were active before `enableThreads`. */
export function disableThreads(): void {
  stopThreads();
}
