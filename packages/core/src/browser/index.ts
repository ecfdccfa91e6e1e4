/**
 * Web Workers for @slope/core's WebAssembly kernels: `enableThreads` splits the large kernels
 * (matmul, convolution) across workers sharing one memory (the page must be cross-origin isolated for
 * SharedArrayBuffer); `disableThreads` goes back to one.
 *
 * @module @slope/core/browser
 */
export { enableThreads, disableThreads } from "./threads.js";
