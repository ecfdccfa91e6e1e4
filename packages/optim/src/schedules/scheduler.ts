import { ValueError } from "@slope/core";
import type { Optimizer } from "../optimizer.js";
import type { Schedule } from "./decay.js";

/** The JSON state of a scheduler: how many times it has stepped. */
export interface SchedulerState {
  t: number;
  option: string;
}

/**
 * Binds a schedule to an optimizer's hyperparameter ("lr" by default, or "momentum"): on creation
 * it sets the value for t = 0; each `step()` (call it per iteration or per epoch, as you choose)
 * advances t and sets schedule(t) in every parameter group.
 */
export class Scheduler {
  /** How many times `step()` has been called. */
  t = 0;

  constructor(
    readonly optimizer: Optimizer,
    readonly schedule: Schedule,
    readonly option: string = "lr",
  ) {
    if (typeof schedule !== "function") throw new ValueError("Scheduler: schedule must be a function of t");
    this.apply();
  }

  private apply(): void {
    this.optimizer.setOption(this.option, this.schedule(this.t));
  }

  /** The value set now. */
  get value(): number {
    return this.schedule(this.t);
  }

  /** Advances to t + 1 and sets the new value. */
  step(): void {
    this.t++;
    this.apply();
  }

  stateDict(): SchedulerState {
    return { t: this.t, option: this.option };
  }

  loadStateDict(state: SchedulerState): void {
    if (!state || !Number.isInteger(state.t) || state.t < 0) throw new ValueError("Scheduler.loadStateDict: expected { t, option } from stateDict()");
    if (state.option !== this.option) throw new ValueError(`Scheduler.loadStateDict: the state drives "${state.option}", this scheduler "${this.option}"`);
    this.t = state.t;
    this.apply();
  }
}
