// The WebAssembly global (every browser, Node ≥ 16), typed with just what the kernels use so that
// core needs no DOM typings.
import type { WasmMemory } from "./exports.js";

/** The parts of the WebAssembly global the kernels use. */
export interface WebAssemblyGlobal {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}

/** The platform's WebAssembly global; undefined where there is none. */
export const webAssembly = (globalThis as unknown as { WebAssembly?: WebAssemblyGlobal }).WebAssembly;
