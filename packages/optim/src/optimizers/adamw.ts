import type { FloatArray } from "@slope/core";
import { type OptionSpec, Optimizer, type ParamGroup, type Parameter, type ParameterState } from "../optimizer.js";
import { type AdamOptions, adamBuffers, adamSpecs, adamUpdate } from "./adam.js";

/** Options of AdamW: Adam's, with weightDecay decoupled from the gradient. */
export type AdamWOptions = AdamOptions;

const specs: Record<keyof AdamWOptions, OptionSpec> = {
  ...adamSpecs,
  weightDecay: { default: 1e-2, range: "nonNegative" },
};

/**
 * AdamW (Loshchilov & Hutter 2019): the weights decay directly, not through the gradient, so the
 * decay is not rescaled by Adam's √v̂:
 *
 *     x −= lr · weightDecay · x
 *     then Adam's update with ±dx (no decay added to it; − when maximizing)
 *
 * Defaults: Adam's (amsgrad's maximum of v, as PyTorch), weightDecay 1e-2 (as PyTorch).
 */
export class AdamW extends Optimizer<AdamWOptions> {
  constructor(params: readonly Parameter[] | readonly ParamGroup<AdamWOptions>[], options: Partial<AdamWOptions> = {}) {
    super("AdamW", specs, params, options, adamBuffers);
  }

  protected update(x: FloatArray, dx: FloatArray, state: ParameterState, options: AdamWOptions): void {
    const shrink = 1 - options.lr * options.weightDecay;
    for (let i = 0; i < x.length; i++) x[i]! *= shrink;
    const m = this.buffer(state, "m", x);
    const v = this.buffer(state, "v", x);
    const vMax = options.amsgrad ? this.buffer(state, "vMax", x) : null;
    adamUpdate(x, dx, m, v, vMax, state.step, { ...options, weightDecay: 0 });
  }
}
