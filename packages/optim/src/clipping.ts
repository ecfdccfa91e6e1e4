import { ValueError, kernels } from "@slope/core";
import type { Parameter } from "./optimizer.js";

/** Clamps every gradient element to [−clip, clip], in place. */
export function clipGradValue(params: readonly Parameter[], clip: number): void {
  if (!(clip > 0)) throw new ValueError(`clipGradValue: clip must be > 0, got ${clip}`);
  for (const p of params) {
    const g = p.grad?.data;
    if (!g) continue;
    for (let i = 0; i < g.length; i++) g[i] = g[i]! > clip ? clip : g[i]! < -clip ? -clip : g[i]!;
  }
}

/**
 * Rescales all gradients together so that their global L2 norm √(Σ g²) is at most maxNorm, in
 * place; returns the norm before clipping.
 */
export function clipGradNorm(params: readonly Parameter[], maxNorm: number): number {
  if (!(maxNorm > 0)) throw new ValueError(`clipGradNorm: maxNorm must be > 0, got ${maxNorm}`);
  let squares = 0;
  for (const p of params) if (p.grad) squares += kernels().sumOfSquares(p.grad.data);
  const norm = Math.sqrt(squares);
  if (norm > maxNorm) {
    const scale = maxNorm / norm;
    for (const p of params) {
      const g = p.grad?.data;
      if (g) for (let i = 0; i < g.length; i++) g[i] *= scale;
    }
  }
  return norm;
}
