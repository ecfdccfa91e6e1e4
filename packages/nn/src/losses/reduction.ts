import { ValueError } from "@slope/core";
import { type Var, div, mean, sum } from "@slope/autograd";

/** How a loss turns its per-element losses into its result, as PyTorch's `reduction` option. */
export type Reduction = "mean" | "sum" | "none";

/** The reductions every loss accepts. */
const REDUCTIONS: readonly string[] = ["mean", "sum", "none"];

/** Checks a `reduction` option against the names `allowed` (klDiv also allows "batchmean"). */
export function checkReduction(reduction: unknown, where: string, allowed: readonly string[] = REDUCTIONS): void {
  if (typeof reduction !== "string" || !allowed.includes(reduction)) {
    const names = allowed.map((r) => `"${r}"`).join(", ");
    throw new ValueError(`${where}: reduction must be one of ${names}; got ${String(reduction)}`);
  }
}

/**
 * Applies a reduction to per-element losses ℓ: "none" → ℓ itself, "sum" → Σ ℓ, "mean" → Σ ℓ / n
 * with n the number of elements (0/0 = NaN for an empty batch, as PyTorch).
 */
export function reduceLosses(losses: Var, reduction: Reduction): Var {
  if (reduction === "none") return losses;
  if (reduction === "sum") return sum(losses);
  return losses.size === 0 ? div(sum(losses), 0) : mean(losses);
}
