import * as core from "@slope/core";
import * as internal from "@slope/core/internal";
import { partialDerivative } from "./numerical-gradient.js";

/** Options of `gradCheckSparse`. */
export interface GradCheckSparseOptions {
  /** How many random coordinates to check (10 by default). */
  checks?: number;
  /** Picks the coordinates (required, so that a check can be repeated exactly). */
  rng: core.Rng;
  /** The step of the central difference (1e-5 by default). */
  h?: number;
}

/** One checked coordinate. */
export interface SparseCheck {
  /** The coordinate checked, one index per axis of x. */
  index: number[];
  /** (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h there. */
  numerical: number;
  /** The analytic gradient there. */
  analytic: number;
  /** |numerical − analytic| / (|numerical| + |analytic|), 0 when both are 0. */
  relError: number;
}

/**
 * The lecture's grad_check_sparse: pick random coordinates of x, estimate ∂f/∂xᵢ there by central
 * differences, and compare with the analytic gradient: relError = |num − ana| / (|num| + |ana|).
 * Cheap enough for a full CIFAR weight matrix, where the full numerical gradient is not.
 */
export function gradCheckSparse(
  f: (x: core.Tensor) => number,
  x: core.Tensor,
  analytic: core.Tensor,
  options: GradCheckSparseOptions,
): {
  /** The largest relError of the coordinates checked. */
  maxRelError: number;
  /** Every coordinate checked, in the order drawn. */
  checks: SparseCheck[];
} {
  if (!options?.rng) throw new core.ValueError("gradCheckSparse: an rng is required: { rng: new Rng(seed) }");
  if (!core.sameShape(x.shape, analytic.shape)) {
    throw new core.ShapeError(
      `gradCheckSparse: analytic gradient has shape ${core.formatShape(analytic.shape)}, x has ${core.formatShape(x.shape)}`,
    );
  }
  const { checks = 10, rng, h = 1e-5 } = internal.checkOptions(options, ["checks", "rng", "h"], "gradCheckSparse");
  const results: SparseCheck[] = [];
  for (let c = 0; c < checks; c++) {
    const i = rng.int(x.size);
    const numerical = partialDerivative(f, x, i, h);
    const a = analytic.data[i]!;
    const denominator = Math.abs(numerical) + Math.abs(a);
    results.push({
      index: core.unravelIndex(i, x.shape),
      numerical,
      analytic: a,
      relError: denominator === 0 ? 0 : Math.abs(numerical - a) / denominator,
    });
  }
  return { maxRelError: results.reduce((m, r) => Math.max(m, r.relError), 0), checks: results };
}
