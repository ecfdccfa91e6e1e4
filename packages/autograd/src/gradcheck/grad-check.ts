import * as core from "@slope/core";
import * as internal from "@slope/core/internal";
import { backward } from "../backward.js";
import { type Var, noGrad, param, withFloat64Constants } from "../var.js";
import { numericalGradient } from "./numerical-gradient.js";
import { relError } from "./rel-error.js";

/** Options of `gradCheck`. */
export interface GradCheckOptions {
  /** The finite-difference step: 1e-5 where f is evaluated in float64, 1e-2 where it must be evaluated in float32. */
  h?: number;
  /**
   * The largest relative error that passes: 1e-7 for float64 inputs; 1e-4 for float32 inputs whose function
   * could be re-evaluated in float64; 1e-2 where it had to be evaluated in float32.
   */
  tol?: number;
}

/** The worst coordinate found by a gradient check. */
export interface GradCheckWorst {
  /** Which input, by position in `inputs`. */
  input: number;
  /** The coordinate within it, one index per axis. */
  index: number[];
  /** The analytic gradient there. */
  analytic: number;
  /** The central-difference estimate there. */
  numerical: number;
}

/** What `gradCheck` returns. */
export interface GradCheckResult {
  /** Whether every relError is at most `tol`. */
  ok: boolean;
  /** The largest relError over the inputs. */
  maxRelError: number;
  /** relError for each input. */
  relErrors: number[];
  /** The input and coordinate where analytic and numerical differ most. */
  worst: GradCheckWorst | null;
  /** The analytic gradient of each input, from backward. */
  analytic: core.Tensor[];
  /** The numerical gradient of each input, by central differences. */
  numerical: core.Tensor[];
  /** Set when an input is float32: a loose tolerance is then unavoidable. */
  warning?: string;
}

/**
 * Checks the analytic gradient of a scalar function of several tensors against central differences,
 * (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h, input by input: ok when every relError is at most `tol`.
 *
 * float32 inputs: the analytic gradient is the float32 one (what is checked), but f is differenced in float64 — the
 * inputs are promoted, and so are the float32 tensors and numbers f turns into constants — because in float32 the
 * rounding of f (~6e-8·|f|) divided by h swamps the difference. The float32 analytic gradient then agrees to ~1e-6,
 * well inside the default tol of 1e-4, while a wrong gradient misses by far more. A function that cannot run in
 * float64 (a float32 Var it holds, such as a model's parameter) is differenced in float32 with h = 1e-2 (rounding
 * error ~6e-8·|f|/h, truncation ~h²·f‴/6) and tol = 1e-2; `warning` says which was done.
 */
export function gradCheck(
  f: (...inputs: Var[]) => Var,
  inputs: core.Tensor[],
  options: GradCheckOptions = {},
): GradCheckResult {
  internal.checkOptions(options, ["h", "tol"], "gradCheck");
  if (!Array.isArray(inputs) || !inputs.every((t) => t instanceof core.Tensor)) {
    throw new core.ValueError("gradCheck: inputs must be an array of Tensors");
  }
  const float32 = inputs.some((t) => t.dtype === "float32");
  const params = inputs.map((t) => param(t));
  const output = f(...params);
  if (output.size !== 1)
    throw new core.ShapeError(`gradCheck: f must return a scalar, got shape ${core.formatShape(output.shape)}`);
  if (output.requiresGrad) backward(output);
  const analytic = params.map((p) => p.grad ?? core.zerosLike(p.value));
  let numerical: core.Tensor[] | null = null;
  let tol = options.tol ?? 1e-7;
  let warning: string | undefined;
  if (float32) {
    numerical = differencedInFloat64(f, inputs, options.h ?? 1e-5);
    tol = options.tol ?? 1e-4;
    warning = "float32 inputs: f was differenced in float64 (inputs and constants promoted); the tolerance is 1e-4";
    if (numerical === null) {
      tol = options.tol ?? 1e-2;
      warning =
        "float32 inputs: f holds float32 Vars, so it was differenced in float32 with h = 1e-2; " +
        "the tolerance is 1e-2 " +
        "(check in float64 for 1e-7)";
    }
  }
  // Nudged through the parameters' own values: a float32 parameter holds a copy of its input (in the kernel memory).
  numerical ??= params.map((p) =>
    numericalGradient(() => noGrad(() => f(...params).item()), p.value, { h: options.h ?? (float32 ? 1e-2 : 1e-5) }),
  );
  const finalNumerical = numerical;
  const relErrors = analytic.map((a, k) => relError(core.cast(a, "float64"), finalNumerical[k]!));
  let worst: GradCheckWorst | null = null;
  let worstDifference = -1;
  analytic.forEach((a, k) => {
    for (let i = 0; i < a.size; i++) {
      const d = Math.abs(a.data[i]! - finalNumerical[k]!.data[i]!);
      if (d > worstDifference) {
        worstDifference = d;
        const numericalValue = finalNumerical[k]!.data[i]!;
        worst = { input: k, index: core.unravelIndex(i, a.shape), analytic: a.data[i]!, numerical: numericalValue };
      }
    }
  });
  const maxRelError = relErrors.reduce((m, e) => (e > m || Number.isNaN(e) ? e : m), 0);
  const result: GradCheckResult = {
    ok: maxRelError <= tol,
    maxRelError,
    relErrors,
    worst,
    analytic,
    numerical: finalNumerical,
  };
  if (warning !== undefined) result.warning = warning;
  return result;
}

/**
 * The central differences of f at `inputs` promoted to float64, with f's float32 constants promoted too; null when f
 * cannot run in float64 (it mixes them with float32 Vars it holds: a DTypeError).
 */
function differencedInFloat64(f: (...inputs: Var[]) => Var, inputs: core.Tensor[], h: number): core.Tensor[] | null {
  const promoted = inputs.map((t) => core.cast(t, "float64"));
  const params = promoted.map((t) => param(t));
  const evaluate = () => noGrad(() => withFloat64Constants(() => f(...params)));
  try {
    if (evaluate().dtype !== "float64") return null;
  } catch (error) {
    if (error instanceof core.DTypeError) return null;
    throw error;
  }
  // Nudged through the parameters' own values, as gradCheck's own differences are.
  return params.map((p) => numericalGradient(() => evaluate().item(), p.value, { h }));
}
