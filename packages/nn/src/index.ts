// @slope/nn: modules, layers, initializers, losses and weights, with PyTorch's names and defaults.
export { Module, type BufferOptions, type LoadStateDictOptions, type LoadStateDictResult } from "./module.js";
export { StateDictError } from "./errors.js";
export * from "./layers/index.js";
export { manualSeed, defaultRng } from "./random.js";
export * as init from "./init/index.js";
export * from "./init/index.js";
export * from "./losses/index.js";
export * from "./weights/index.js";
