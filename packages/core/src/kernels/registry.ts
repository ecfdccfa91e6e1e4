import { jsKernels } from "./js.js";
import { placement, traced } from "./placement.js";
import type { Kernels } from "./types.js";
import { createWasmKernels, wasmRetryable } from "./wasm/wasm-backend.js";

/** WebAssembly SIMD where the platform has it (every current browser, Node ≥ 16), plain JavaScript otherwise. */
let current: Kernels = createWasmKernels() ?? jsKernels;
/**
 * When the WebAssembly kernels could not be made at start for a passing reason (an instance's memory under an
 * address-space limit, not a module that does not compile), the time of the last try: they are tried again at most
 * every RETRY_MS until they can be, or until other kernels are set. null otherwise.
 */
let lastTry: number | null = current === jsKernels && wasmRetryable() ? Date.now() : null;
const RETRY_MS = 1000;

/** The kernels every op currently computes with; while `tracePlacement` runs, a twin that records each call. */
export function kernels(): Kernels {
  const current = activeKernels();
  return placement.records === null ? current : traced(current);
}

/** The active backend itself, after a due retry of the WebAssembly kernels. */
function activeKernels(): Kernels {
  if (lastTry !== null && Date.now() - lastTry >= RETRY_MS) {
    const wasm = createWasmKernels();
    lastTry = wasm === null && wasmRetryable() ? Date.now() : null;
    if (wasm !== null) current = wasm;
  }
  return current;
}

/** Swaps in another backend (the JavaScript one, a threaded one) and returns the one it replaced. */
export function setKernels(next: Kernels): Kernels {
  const previous = activeKernels();
  lastTry = null; // the caller chose
  current = next;
  return previous;
}
