import * as core from "@slope/core";
import { partialDerivative } from "./numerical-gradient.js";

/** Options of `gradCheckSparse`. */
export interface GradCheckSparseOptions {
  /** How many random coordinates to check (10 by default). */
  checks?: number;
  rng: core.Rng;
  h?: number;
}

/** One checked coordinate. */
export interface SparseCheck {
  index: number[];
  numerical: number;
  analytic: number;
  relError: number;
}

/**
 * The lecture's grad_check_sparse: pick random coordinates of x, estimate ∂f/∂xᵢ there by central
 * differences, and compare with the analytic gradient: relError = |num − ana| / (|num| + |ana|).
 * Cheap enough for a full CIFAR weight matrix, where the full numerical gradient is not.
 */
export function gradCheckSparse(
  f: (x: core.Tensor) => number, x: core.Tensor, analytic: core.Tensor, options: GradCheckSparseOptions,
): { maxRelError: number; checks: SparseCheck[] } {
  if (!options?.rng) throw new core.ValueError("gradCheckSparse: an rng is required: { rng: new Rng(seed) }");
  if (!core.sameShape(x.shape, analytic.shape)) {
    throw new core.ShapeError(`gradCheckSparse: analytic gradient has shape ${core.formatShape(analytic.shape)}, x has ${core.formatShape(x.shape)}`);
  }
  const { checks = 10, rng, h = 1e-5 } = core.checkOptions(options, ["checks", "rng", "h"], "gradCheckSparse");
  const results: SparseCheck[] = [];
  for (let c = 0; c < checks; c++) {
    const i = rng.int(x.size);
    const numerical = partialDerivative(f, x, i, h);
    const a = analytic.data[i]!;
    const denominator = Math.abs(numerical) + Math.abs(a);
    results.push({ index: core.unravelIndex(i, x.shape), numerical, analytic: a, relError: denominator === 0 ? 0 : Math.abs(numerical - a) / denominator });
  }
  return { maxRelError: results.reduce((m, r) => Math.max(m, r.relError), 0), checks: results };
}
