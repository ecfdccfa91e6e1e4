import { jsKernels } from "./js.js";
import type { Kernels } from "./types.js";


let active: Kernels = jsKernels;

/** The kernels every op currently computes with. */
export function kernels(): Kernels {
  return active;
}

/** Swaps in another backend (WebAssembly, threads) and returns the one it replaced. */
export function setKernels(next: Kernels): Kernels {
  const previous = active;
  active = next;
  return previous;
}
