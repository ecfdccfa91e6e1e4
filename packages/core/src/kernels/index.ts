export type { ArgReduceOp, BinaryOp, Kernels, ReduceOp, StridedOperand, UnaryOp } from "./types.js";
export { jsKernels } from "./js.js";
export { kernels, setKernels } from "./registry.js";
export { createWasmKernels } from "./wasm/wasm-backend.js";
