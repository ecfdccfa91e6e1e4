/**
 * Optimizers, learning-rate schedules, derivative-free baselines and 2-D loss surfaces for Slope.
 * An optimizer steps over anything shaped `{ value: Tensor; grad: Tensor | null }` (which an autograd
 * `Var` is), with the lecture's update rule written out in its doc comment; a schedule is a plain
 * function of the step count, and a `Scheduler` applies one to an optimizer.
 *
 * @module @slope/optim
 */
export {
  type Parameter,
  type ParamGroup,
  type Hyperparameters,
  type OptionSpec,
  type ParameterState,
  type OptimizerStateDict,
  Optimizer,
} from "./optimizer.js";
export { type SGDOptions, SGD } from "./optimizers/sgd.js";
export { type MomentumOptions, Momentum } from "./optimizers/momentum.js";
export { type NesterovOptions, Nesterov } from "./optimizers/nesterov.js";
export { type AdaGradOptions, AdaGrad } from "./optimizers/adagrad.js";
export { type RMSPropOptions, RMSProp } from "./optimizers/rmsprop.js";
export { type AdamOptions, Adam } from "./optimizers/adam.js";
export { type AdamWOptions, AdamW } from "./optimizers/adamw.js";
export { type AdadeltaOptions, Adadelta } from "./optimizers/adadelta.js";
export { type AdamaxOptions, Adamax } from "./optimizers/adamax.js";
export { type LBFGSOptions, type Closure, LBFGS } from "./optimizers/lbfgs.js";
export {
  type Schedule,
  stepDecay,
  exponentialDecay,
  inverseTimeDecay,
  cosineDecay,
  constantSchedule,
  linearSchedule,
  warmup,
} from "./schedules/decay.js";
export { type SchedulerState, Scheduler } from "./schedules/scheduler.js";
export { type MultiStepDecayOptions, multiStepDecay } from "./schedules/multi-step-decay.js";
export { type PolynomialDecayOptions, polynomialDecay } from "./schedules/polynomial-decay.js";
export { type CyclicMode, type CyclicOptions, cyclic } from "./schedules/cyclic.js";
export { type OneCycleOptions, oneCycle } from "./schedules/one-cycle.js";
export { type CosineWarmRestartsOptions, cosineWarmRestarts } from "./schedules/cosine-warm-restarts.js";
export {
  type ReduceLROnPlateauOptions,
  type ReduceLROnPlateauState,
  ReduceLROnPlateau,
} from "./schedules/reduce-lr-on-plateau.js";
export type { StateNumber } from "./schedules/state-number.js";
export type { ClipGradNormOptions } from "./clipping.js";
export { clipGradValue, clipGradNorm } from "./clipping.js";
export {
  type SearchProgress,
  type SearchResult,
  type SearchOptions,
  RandomSearch,
  randomLocalSearch,
} from "./search/random-search.js";
export {
  type Arithmetic,
  type Surface,
  numberArithmetic,
  quadraticBowl,
  rosenbrock,
  beale,
  saddle,
  himmelblau,
  twoMinima,
  surfaces,
} from "./surfaces/surfaces.js";
export { type TrajectoryPoint, runTrajectory } from "./surfaces/trajectory.js";
export { type NAdamOptions, NAdam } from "./optimizers/nadam.js";
export { type RAdamOptions, RAdam } from "./optimizers/radam.js";
export { type RpropOptions, Rprop } from "./optimizers/rprop.js";
export { type ASGDOptions, ASGD } from "./optimizers/asgd.js";
export { type LionOptions, Lion } from "./optimizers/lion.js";
export { cubicInterpolate, strongWolfe } from "./optimizers/lbfgs.js";
export { type BufferSpec, maximizeSpec } from "./optimizer.js";
