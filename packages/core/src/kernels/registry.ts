import { setResidentArrays } from "../buffers.js";
import { jsKernels } from "./js.js";
import type { Kernels } from "./types.js";
import { createWasmKernels } from "./wasm/wasm-backend.js";

/** WebAssembly SIMD where the platform has it (every current browser, Node ≥ 16), plain JavaScript otherwise. */
let active: Kernels = createWasmKernels() ?? jsKernels;

// Reused steps move their buffers into the memory of whichever kernels are active then.
setResidentArrays((sizes) => active.residentArrays?.(sizes) ?? null);

/** The kernels every op currently computes with. */
export function kernels(): Kernels {
  return active;
}

/** Swaps in another backend (the JavaScript one, a threaded one) and returns the one it replaced. */
export function setKernels(next: Kernels): Kernels {
  const previous = active;
  active = next;
  return previous;
}
