// The placement policy: the one place that says where an op runs — in JavaScript, in WebAssembly on this thread, or
// split across the threads. Every op's operands are wherever they live (the kernel memory, or the JavaScript heap, to
// be copied in), so the choice is by size alone. Measured: bench/README.md ("Where an op runs").

/** Where ops run, by size. */
export const placementPolicy = {
  /** Products of fewer multiply-adds stay in JavaScript: a call into the module costs more than it saves. */
  minProductWork: 16_384,
  /** Elementwise ops over fewer elements stay in JavaScript. */
  minElementwise: 4096,
  /** Rows shorter than this, broadcast against each other, stay in JavaScript: a call per row would cost more. */
  minRow: 32,
  /**
   * Products and convolutions of at least this many multiply-adds split across the threads (by bands of output
   * rows). With the operands in the kernel memory a split copies nothing; what it costs is the hand-off to a worker
   * (a few microseconds when the worker spins) and its part read from the other core's cache. 2²² (4.2 M): the
   * lecture's X·W and Xᵀ·dS (7.9 M each) now pay to split — its epoch on two threads took 0.236 s at 4 M, 0.313 s
   * at 16.7 M (the threshold when operands were copied into a memory of the threads' own), 0.238–0.239 s at 1–2 M.
   */
  minParallelWork: 1 << 22,
  /**
   * Elementwise ops (binary, unary, axpy) over at least this many elements split across the threads, in bands of
   * whole vectors: each element is computed alone, so the bits are one thread's.
   */
  minParallelElements: 1 << 17,
} as const;
