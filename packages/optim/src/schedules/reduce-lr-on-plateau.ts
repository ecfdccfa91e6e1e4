import { ValueError } from "@slope/core";
import type { Optimizer } from "../optimizer.js";
import { checkChoice, checkInteger } from "./check-options.js";
import { setPerGroup } from "./scheduler.js";
import { decodeStateNumber, encodeStateNumber, type StateNumber } from "./state-number.js";

/** Options of ReduceLROnPlateau: PyTorch's names in camelCase, PyTorch's defaults. */
export interface ReduceLROnPlateauOptions {
  /** "min": the metric should fall (a loss); "max": it should rise (an accuracy). Default "min". */
  mode?: "min" | "max";
  /** new lr = lr · factor, in (0, 1). Default 0.1. */
  factor?: number;
  /** How many epochs without improvement are tolerated; the next one reduces. Default 10. */
  patience?: number;
  /** How much better than the best a metric must be to count as an improvement. Default 1e-4. */
  threshold?: number;
  /** "rel": better than best·(1 ∓ threshold); "abs": better than best ∓ threshold. Default "rel". */
  thresholdMode?: "rel" | "abs";
  /** Epochs after a reduction during which bad epochs are not counted. Default 0. */
  cooldown?: number;
  /** The lowest lr, for every group or one per group. Default 0. */
  minLr?: number | readonly number[];
  /** A reduction smaller than eps is skipped. Default 1e-8. */
  eps?: number;
}

/** The JSON state of a ReduceLROnPlateau: its options (as PyTorch's state_dict holds them) and its counters. */
export interface ReduceLROnPlateauState {
  /** "min" when the metric should fall, "max" when it should rise. */
  mode: "min" | "max";
  /** new lr = lr · factor. */
  factor: number;
  /** How many epochs without improvement are tolerated. */
  patience: number;
  /** How much better than the best a metric must be to count. */
  threshold: number;
  /** Whether threshold is relative to the best ("rel") or absolute ("abs"). */
  thresholdMode: "rel" | "abs";
  /** Epochs after a reduction during which bad epochs are not counted. */
  cooldown: number;
  /** The lowest lr of each group, exactly. */
  minLrs: StateNumber[];
  /** A reduction smaller than eps is skipped. */
  eps: number;
  /** The best metric so far, exactly (±∞ before the first step). */
  best: StateNumber;
  /** Epochs since the last improvement. */
  numBadEpochs: number;
  /** Epochs of cooldown left. */
  cooldownCounter: number;
  /** How many times `step` had been called. */
  lastEpoch: number;
}

type Settings = Omit<ReduceLROnPlateauState, "minLrs" | "best" | "numBadEpochs" | "cooldownCounter" | "lastEpoch"> & {
  minLrs: number[];
};

/**
 * Reduces every group's learning rate when a metric stops improving (PyTorch's ReduceLROnPlateau). Call
 * `step(metric)` once per epoch with, say, the validation loss:
 *
 *     better(a) = a < best·(1 − threshold)   (min, rel)      a < best − threshold   (min, abs)
 *                 a > best·(1 + threshold)   (max, rel)      a > best + threshold   (max, abs)
 *     better: best = a, bad = 0;  else bad += 1;  in cooldown: cooldown −= 1, bad = 0
 *     bad > patience:  lr_g = max(lr_g · factor, minLr_g) where that lowers lr_g by more than eps;
 *                      cooldown = its option, bad = 0
 *
 * best starts at +∞ (min) or −∞ (max). A NaN metric is never better: it counts as a bad epoch.
 */
export class ReduceLROnPlateau {
  private settings: Settings;
  /** The best metric so far. */
  best: number;
  /** Epochs since the last improvement (reset by a reduction and during cooldown). */
  numBadEpochs = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  /** How many times `step` has been called. */
  lastEpoch = 0;

  /** @param optimizer The optimizer whose groups' learning rates are reduced. */
  constructor(
    readonly optimizer: Optimizer,
    options: ReduceLROnPlateauOptions = {},
  ) {
    const groups = optimizer.paramGroups.length;
    const minLr = options.minLr ?? 0;
    const settings: Settings = {
      mode: options.mode ?? "min",
      factor: options.factor ?? 0.1,
      patience: options.patience ?? 10,
      threshold: options.threshold ?? 1e-4,
      thresholdMode: options.thresholdMode ?? "rel",
      cooldown: options.cooldown ?? 0,
      minLrs: Array.isArray(minLr) ? [...minLr] : new Array<number>(groups).fill(minLr as number),
      eps: options.eps ?? 1e-8,
    };
    checkSettings(settings, groups, "ReduceLROnPlateau");
    this.settings = settings;
    this.best = settings.mode === "min" ? Infinity : -Infinity;
  }

  /** The options in force (after a loadStateDict, the saved ones, as PyTorch). */
  get options(): Readonly<Settings> {
    return { ...this.settings, minLrs: [...this.settings.minLrs] };
  }

  /** Whether `a` improves on `best` by more than the threshold. */
  isBetter(a: number, best: number): boolean {
    const { mode, threshold, thresholdMode } = this.settings;
    if (mode === "min") return thresholdMode === "rel" ? a < best * (1 - threshold) : a < best - threshold;
    return thresholdMode === "rel" ? a > best * (threshold + 1) : a > best + threshold;
  }

  /** Takes this epoch's metric; reduces the learning rates if it has not improved for more than `patience` epochs. */
  step(metric: number): void {
    if (typeof metric !== "number") {
      throw new ValueError(`ReduceLROnPlateau.step: expected the metric as a number, got ${typeof metric}`);
    }
    this.lastEpoch++;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0; // bad epochs in cooldown are ignored
    }
    if (this.numBadEpochs > this.settings.patience) {
      this.reduce();
      this.cooldownCounter = this.settings.cooldown;
      this.numBadEpochs = 0;
    }
  }

  private reduce(): void {
    const { factor, minLrs, eps } = this.settings;
    const lrs = this.optimizer.paramGroups.map((group, g) => {
      const old = group.options.lr as number;
      const reduced = Math.max(old * factor, minLrs[g]!);
      return old - reduced > eps ? reduced : old;
    });
    setPerGroup(this.optimizer, "lr", lrs);
  }

  /** Every setting and counter (best, bad epochs, cooldown), as plain JSON for `loadStateDict`. */
  stateDict(): ReduceLROnPlateauState {
    return {
      ...this.settings,
      minLrs: this.settings.minLrs.map(encodeStateNumber),
      best: encodeStateNumber(this.best),
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
      lastEpoch: this.lastEpoch,
    };
  }

  /** Restores a state saved by `stateDict`, options included (checked completely first: a bad one changes nothing). */
  loadStateDict(state: ReduceLROnPlateauState): void {
    const where = "ReduceLROnPlateau.loadStateDict";
    if (!state || typeof state !== "object") {
      throw new ValueError(`${where}: expected the object stateDict() returned, got ${String(state)}`);
    }
    const groups = this.optimizer.paramGroups.length;
    if (!Array.isArray(state.minLrs)) {
      throw new ValueError(`${where}: expected minLrs, one per group, got ${String(state.minLrs)}`);
    }
    const settings: Settings = {
      mode: state.mode,
      factor: state.factor,
      patience: state.patience,
      threshold: state.threshold,
      thresholdMode: state.thresholdMode,
      cooldown: state.cooldown,
      minLrs: state.minLrs.map((v, g) => decodeStateNumber(v, `${where}: minLrs[${g}]`)),
      eps: state.eps,
    };
    checkSettings(settings, groups, where);
    const best = decodeStateNumber(state.best, `${where}: best`);
    if (Number.isNaN(best)) throw new ValueError(`${where}: best must be a number or ±Infinity, got NaN`);
    for (const name of ["numBadEpochs", "cooldownCounter", "lastEpoch"] as const) {
      checkInteger(where, name, state[name], 0);
    }
    this.settings = settings;
    this.best = best;
    this.numBadEpochs = state.numBadEpochs;
    this.cooldownCounter = state.cooldownCounter;
    this.lastEpoch = state.lastEpoch;
  }
}

function checkSettings(s: Settings, groups: number, where: string): void {
  checkChoice(where, "mode", s.mode, ["min", "max"]);
  checkChoice(where, "thresholdMode", s.thresholdMode, ["rel", "abs"]);
  if (typeof s.factor !== "number" || !(s.factor > 0 && s.factor < 1)) {
    throw new ValueError(`${where}: factor must be a number in (0, 1), got ${String(s.factor)}`);
  }
  checkInteger(where, "patience", s.patience, 0);
  checkInteger(where, "cooldown", s.cooldown, 0);
  for (const [name, v] of [
    ["threshold", s.threshold],
    ["eps", s.eps],
  ] as const) {
    if (typeof v !== "number" || !(v >= 0) || !Number.isFinite(v)) {
      throw new ValueError(`${where}: ${name} must be a finite number ≥ 0, got ${String(v)}`);
    }
  }
  if (s.minLrs.length !== groups) {
    throw new ValueError(`${where}: expected ${groups} minLr values (one per group), got ${s.minLrs.length}`);
  }
  s.minLrs.forEach((m, g) => {
    if (typeof m !== "number" || !(m >= 0) || !Number.isFinite(m)) {
      throw new ValueError(`${where}: minLr[${g}] must be a finite number ≥ 0, got ${String(m)}`);
    }
  });
}
