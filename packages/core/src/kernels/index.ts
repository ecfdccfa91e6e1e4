export type {
  ArgReduceOp,
  BinaryOp,
  Conv2dGeometry,
  Conv2dShape,
  Kernels,
  Pool2dGeometry,
  ReduceOp,
  StridedOperand,
  UnaryOp,
  WindowAverage,
} from "./types.js";
export { jsKernels } from "./js.js";
export { kernels, setKernels } from "./registry.js";
export { createWasmKernels } from "./wasm/wasm-backend.js";
