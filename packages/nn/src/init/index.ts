export type { InitTarget } from "./target.js";
export { uniform, normal, constant, zeros, ones } from "./basic.js";
export { xavierUniform, xavierNormal } from "./xavier.js";
export { type KaimingOptions, kaimingUniform, kaimingNormal } from "./kaiming.js";
export { type Nonlinearity, calculateGain } from "./gain.js";
export { type FanMode, calculateFanInAndFanOut } from "./fan.js";
