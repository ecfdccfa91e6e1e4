import { ValueError } from "@slope/core";
import type { Optimizer } from "../optimizer.js";
import type { Schedule } from "./decay.js";
import { decodeStateNumber, encodeStateNumber, type StateNumber } from "./state-number.js";

/** The JSON state of a scheduler: how many times it has stepped, what it drives and every group's base value. */
export interface SchedulerState {
  /** How many times `step()` had been called. */
  t: number;
  /** The hyperparameter it drives ("lr", "momentum", …). */
  option: string;
  /** Each parameter group's value of `option` when the scheduler was made (PyTorch's base_lrs), exactly. */
  baseValues: StateNumber[];
}

/**
 * Binds a schedule to an optimizer's hyperparameter ("lr" by default, or "momentum"): on creation it sets the
 * value for t = 0; each `step()` (call it per iteration or per epoch, as you choose) advances t and sets the
 * value for the new t.
 *
 * Every parameter group keeps its own base value b_g (its value when the scheduler was made, PyTorch's base_lrs):
 *
 *     one schedule s:              value_g(t) = s(t) · b_g / b_0     (the first group follows s; the others keep
 *                                                                     their ratio to it, as PyTorch scales base_lrs)
 *     one schedule per group s_g:  value_g(t) = s_g(t)              (PyTorch's per-group lists: CyclicLR's
 *                                                                     base_lr/max_lr, OneCycleLR's max_lr, eta_min)
 *
 * With one group and one schedule, the value is s(t) exactly. For PyTorch's multiplicative schedulers (StepLR,
 * MultiStepLR, ExponentialLR, PolynomialLR, and the cosine ones with eta_min = 0) and s written for the first
 * group's lr, one schedule gives PyTorch's per-group rates; an lrMin ≠ 0 is scaled with the rest, so where PyTorch
 * keeps eta_min fixed across groups, pass one schedule per group.
 */
export class Scheduler {
  /** How many times `step()` has been called. */
  t = 0;
  private readonly schedules: readonly Schedule[] | null;
  private baseValues: number[];

  constructor(
    /** The optimizer whose hyperparameter is set. */
    readonly optimizer: Optimizer,
    /** The schedule, a function of t, or one per parameter group. */
    readonly schedule: Schedule | readonly Schedule[],
    /** The hyperparameter set ("lr" by default, or "momentum"). */
    readonly option: string = "lr",
  ) {
    const groups = optimizer.paramGroups.length;
    if (Array.isArray(schedule)) {
      if (schedule.length !== groups || !schedule.every((s) => typeof s === "function")) {
        throw new ValueError(
          `Scheduler: expected one schedule (a function of t) per parameter group: ${groups}, got ${schedule.length}`,
        );
      }
      this.schedules = schedule;
    } else {
      if (typeof schedule !== "function") {
        throw new ValueError("Scheduler: schedule must be a function of t, or one per parameter group");
      }
      this.schedules = null;
    }
    this.baseValues = optimizer.paramGroups.map((group, g) => {
      const value = (group.options as Record<string, unknown>)[option];
      if (typeof value !== "number") {
        throw new ValueError(
          `Scheduler: parameter group ${g} has no numeric option "${option}" (got ${String(value)}); ` +
            `options are ${Object.keys(group.options).join(", ")}`,
        );
      }
      return value;
    });
    this.checkScalable(this.baseValues, "Scheduler");
    this.apply();
  }

  /** One schedule over groups with different base values needs a non-zero first base to take ratios to. */
  private checkScalable(bases: readonly number[], where: string): void {
    if (this.schedules || bases[0] !== 0 || bases.every((b) => b === 0)) return;
    throw new ValueError(
      `${where}: the first group's ${this.option} is 0, so the other groups' ratios to it are undefined; ` +
        "pass one schedule per group",
    );
  }

  /** Each group's value at step t. */
  values(t: number = this.t): number[] {
    if (this.schedules) return this.schedules.map((s) => s(t));
    const value = (this.schedule as Schedule)(t);
    const [first, ...rest] = this.baseValues;
    // b_g / b_0 is 1 for every group whose base equals the first's, so such groups get s(t) to the bit.
    return [value, ...rest.map((b) => (b === first ? value : value * (b / first!)))];
  }

  /** The first group's value now. */
  get value(): number {
    return this.values()[0]!;
  }

  /** Each group's base value (PyTorch's base_lrs). */
  get bases(): readonly number[] {
    return [...this.baseValues];
  }

  private apply(): void {
    setPerGroup(this.optimizer, this.option, this.values());
  }

  /** Advances to t + 1 and sets the new values. */
  step(): void {
    this.t++;
    this.apply();
  }

  /** The step count, the option scheduled and the base values, as plain JSON for `loadStateDict`. */
  stateDict(): SchedulerState {
    return { t: this.t, option: this.option, baseValues: this.baseValues.map(encodeStateNumber) };
  }

  /** Restores a state saved by `stateDict` (checked completely first: a bad state changes nothing). */
  loadStateDict(state: SchedulerState): void {
    const where = "Scheduler.loadStateDict";
    if (!state || typeof state !== "object" || !Number.isSafeInteger(state.t) || state.t < 0) {
      throw new ValueError(
        `${where}: expected { t, option, baseValues } from stateDict(), t an integer ≥ 0, got t = ${String(state?.t)}`,
      );
    }
    if (state.option !== this.option) {
      throw new ValueError(`${where}: the state drives "${String(state.option)}", this scheduler "${this.option}"`);
    }
    const groups = this.optimizer.paramGroups.length;
    if (!Array.isArray(state.baseValues) || state.baseValues.length !== groups) {
      const got = Array.isArray(state.baseValues) ? `${state.baseValues.length} base values` : String(state.baseValues);
      throw new ValueError(`${where}: expected ${groups} base values (one per parameter group), got ${got}`);
    }
    const bases = state.baseValues.map((v, g) => {
      const b = decodeStateNumber(v, `${where}: base value ${g}`);
      if (!Number.isFinite(b)) {
        throw new ValueError(`${where}: base value ${g} must be a finite number, got ${JSON.stringify(v)}`);
      }
      return b;
    });
    this.checkScalable(bases, where);
    const previous = { t: this.t, bases: this.baseValues };
    this.t = state.t;
    this.baseValues = bases;
    try {
      this.apply(); // the optimizer refuses an out-of-range value; then nothing has changed
    } catch (error) {
      this.t = previous.t;
      this.baseValues = previous.bases;
      throw error;
    }
  }
}

/**
 * Sets `option` to values[g] in group g. The optimizer's `setOption` (which checks the range: lr > 0, momentum in
 * [0, 1), ...) sets every group at once, so each distinct value is checked through it first, and the groups are
 * restored if one is refused.
 */
export function setPerGroup(optimizer: Optimizer, option: string, values: readonly number[]): void {
  const groups = optimizer.paramGroups as { options: Record<string, unknown> }[];
  const before = groups.map((g) => g.options[option]);
  const distinct = [...new Set(values)];
  try {
    for (const v of distinct) optimizer.setOption(option, v);
  } catch (error) {
    groups.forEach((g, i) => {
      g.options[option] = before[i];
    });
    throw error;
  }
  if (distinct.length > 1)
    groups.forEach((g, i) => {
      g.options[option] = values[i];
    });
}
