/**
 * Node's worker_threads for @slope/core's WebAssembly kernels: `enableThreads` splits the large
 * kernels (matmul, convolution) across threads sharing one memory; `disableThreads` goes back to one.
 *
 * @module @slope/core/node
 */
export { enableThreads, disableThreads } from "./threads.js";
