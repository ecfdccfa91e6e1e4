import * as core from "@slope/core";
import { backward } from "../backward.js";
import { type Var, noGrad, param } from "../var.js";
import { numericalGradient } from "./numerical-gradient.js";
import { relError } from "./rel-error.js";

/** Options of `gradCheck`. */
export interface GradCheckOptions {
  /** The finite-difference step (1e-5 by default). */
  h?: number;
  /** The largest relative error that passes: 1e-7 by default in float64, 1e-2 in float32. */
  tol?: number;
}

/** The worst coordinate found by a gradient check. */
export interface GradCheckWorst {
  input: number;
  index: number[];
  analytic: number;
  numerical: number;
}

/** What `gradCheck` returns. */
export interface GradCheckResult {
  ok: boolean;
  maxRelError: number;
  /** relError for each input. */
  relErrors: number[];
  /** The input and coordinate where analytic and numerical differ most. */
  worst: GradCheckWorst | null;
  analytic: core.Tensor[];
  numerical: core.Tensor[];
  /** Set when an input is float32: a loose tolerance is then unavoidable. */
  warning?: string;
}

/**
 * Checks the analytic gradient of a scalar function of several tensors against central
 * differences, input by input: ok when every relError is at most `tol`.
 */
export function gradCheck(f: (...inputs: Var[]) => Var, inputs: core.Tensor[], options: GradCheckOptions = {}): GradCheckResult {
  const float32 = inputs.some((t) => t.dtype === "float32");
  const tol = options.tol ?? (float32 ? 1e-2 : 1e-7);
  const params = inputs.map((t) => param(t));
  const output = f(...params);
  if (output.size !== 1) throw new core.ShapeError(`gradCheck: f must return a scalar, got shape ${core.formatShape(output.shape)}`);
  if (output.requiresGrad) backward(output);
  const analytic = params.map((p) => p.grad ?? core.zerosLike(p.value));
  const numerical = inputs.map((_, k) =>
    numericalGradient(() => noGrad(() => f(...params).item()), inputs[k]!, { h: options.h ?? 1e-5 }),
  );
  const relErrors = analytic.map((a, k) => relError(a, numerical[k]!));
  let worst: GradCheckWorst | null = null;
  let worstDifference = -1;
  analytic.forEach((a, k) => {
    for (let i = 0; i < a.size; i++) {
      const d = Math.abs(a.data[i]! - numerical[k]!.data[i]!);
      if (d > worstDifference) {
        worstDifference = d;
        worst = { input: k, index: core.unravelIndex(i, a.shape), analytic: a.data[i]!, numerical: numerical[k]!.data[i]! };
      }
    }
  });
  const maxRelError = relErrors.reduce((m, e) => (e > m || e !== e ? e : m), 0);
  const result: GradCheckResult = { ok: maxRelError <= tol, maxRelError, relErrors, worst, analytic, numerical };
  if (float32) result.warning = "float32 inputs: rounding (~1e-7 relative) divided by h swamps the difference; check in float64 for a tolerance of 1e-7";
  return result;
}
