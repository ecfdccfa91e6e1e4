import { ValueError } from "@slope/core";
import {
  AdaGrad,
  Adam,
  AdamW,
  Momentum,
  Nesterov,
  type Optimizer,
  type Parameter,
  RMSProp,
  SGD,
  type Schedule,
  constantSchedule,
  cosineDecay,
  exponentialDecay,
  inverseTimeDecay,
  stepDecay,
} from "@slope/optim";

/** The optimizers the experiments offer, by their command-line names. */
export const OPTIMIZERS = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** The learning-rate schedules, by their command-line names (all stepped once per epoch). */
export const SCHEDULES = ["constant", "step", "exponential", "inverse-time", "cosine"] as const;
export type ScheduleName = (typeof SCHEDULES)[number];

/** The losses of the linear classifier. */
export const LOSSES = ["svm", "softmax"] as const;
export type LossName = (typeof LOSSES)[number];

/** The plural of a one-word noun of the options: loss → losses, optimizer → optimizers. */
const plural = (noun: string) => (/(s|x|sh|ch)$/.test(noun) ? `${noun}es` : `${noun}s`);

/** Checks that `value` is one of `choices`, with a message that lists them. */
export function oneOf<T extends string>(what: string, value: string, choices: readonly T[]): T {
  if (typeof value !== "string" || !(choices as readonly string[]).includes(value)) {
    throw new ValueError(`unknown ${what} ${JSON.stringify(value)}; valid ${plural(what)}: ${choices.join(", ")}`);
  }
  return value as T;
}

/** A fresh optimizer of the named kind over `params`. */
export function makeOptimizer(name: OptimizerName, params: Parameter[], lr: number): Optimizer {
  switch (oneOf("optimizer", name, OPTIMIZERS)) {
    case "sgd":
      return new SGD(params, { lr });
    case "momentum":
      return new Momentum(params, { lr, momentum: 0.9 });
    case "nesterov":
      return new Nesterov(params, { lr, momentum: 0.9 });
    case "adagrad":
      return new AdaGrad(params, { lr });
    case "rmsprop":
      return new RMSProp(params, { lr });
    case "adam":
      return new Adam(params, { lr });
    case "adamw":
      return new AdamW(params, { lr });
  }
}

/**
 * The named schedule over `epochs` epochs, starting at lr0: step halves every third of the run,
 * exponential and 1/t decay end near lr0/10, cosine anneals to 0.
 */
export function makeSchedule(name: ScheduleName, lr0: number, epochs: number): Schedule {
  const span = Math.max(epochs, 1);
  switch (oneOf("schedule", name, SCHEDULES)) {
    case "constant":
      return constantSchedule(lr0);
    case "step":
      return stepDecay({ lr0, factor: 0.5, every: Math.max(1, Math.round(span / 3)) });
    case "exponential":
      return exponentialDecay({ lr0, k: Math.log(10) / span });
    case "inverse-time":
      return inverseTimeDecay({ lr0, k: 9 / span });
    case "cosine":
      return cosineDecay({ lr0, steps: span });
  }
}

/** Checks a positive number option. */
export function positive(what: string, value: number): number {
  if (!(typeof value === "number" && Number.isFinite(value) && value > 0))
    throw new ValueError(`${what} must be a number > 0, got ${value}`);
  return value;
}

/** Checks a non-negative number option. */
export function nonNegative(what: string, value: number): number {
  if (!(typeof value === "number" && Number.isFinite(value) && value >= 0))
    throw new ValueError(`${what} must be a number ≥ 0, got ${value}`);
  return value;
}

/** Checks a positive integer option. */
export function count(what: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new ValueError(`${what} must be a positive integer, got ${value}`);
  return value;
}
