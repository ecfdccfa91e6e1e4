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
   * (a few microseconds when the worker spins) and its part read from the other core's cache.
   */
  minParallelWork: Number(globalThis.process?.env?.SLOPE_MPW ?? 1 << 24),
  /**
   * Elementwise ops (binary, unary, axpy) over at least this many elements split across the threads, in bands of
   * whole vectors: each element is computed alone, so the bits are one thread's.
   */
  minParallelElements: Number(globalThis.process?.env?.SLOPE_MPE ?? 1 << 17),
} as const;
