/**
 * Neural-network modules for Slope with PyTorch's names, options, layouts and default
 * initialisation: `Module` and its parameters and buffers, layers (Linear, Conv2d, BatchNorm, Dropout,
 * ...), initializers (`init`), losses, and weights in the safetensors format, so that a PyTorch model
 * ports line by line and its weights move between the two.
 *
 * @module @slope/nn
 */
// @slope/nn: modules, layers, initializers, losses and weights, with PyTorch's names and defaults.
export { Module, type BufferOptions, type LoadStateDictOptions, type LoadStateDictResult } from "./module.js";
export { StateDictError } from "./errors.js";
export * from "./layers/index.js";
export { manualSeed, defaultRng } from "./random.js";
export * as init from "./init/index.js";
// By name only the initializers whose names say what they are; uniform, normal, constant, zeros and ones
// would shadow @slope/core's and @slope/autograd's, so they are reached as init.uniform (PyTorch's nn.init.uniform_).
export {
  type InitTarget,
  type KaimingOptions,
  type Nonlinearity,
  type FanMode,
  xavierUniform,
  xavierNormal,
  kaimingUniform,
  kaimingNormal,
  calculateGain,
  calculateFanInAndFanOut,
} from "./init/index.js";
export * from "./losses/index.js";
export * from "./weights/index.js";
