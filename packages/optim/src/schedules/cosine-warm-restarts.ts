import type { Schedule } from "./decay.js";
import { checkFinite, checkInteger } from "./check-options.js";

/** Options of `cosineWarmRestarts` (PyTorch's CosineAnnealingWarmRestarts: T_0, T_mult, eta_min). */
export interface CosineWarmRestartsOptions {
  /** The value at the start of every period (PyTorch: the group's lr, η_max). */
  lr0: number;
  /** The length of the first period, in steps (PyTorch's T_0). */
  period: number;
  /** Each period is this many times longer than the one before (PyTorch's T_mult). Default 1. */
  periodMult?: number;
  /** The value the cosine falls towards (PyTorch's eta_min). Default 0. */
  lrMin?: number;
}

/**
 * Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter; PyTorch's CosineAnnealingWarmRestarts):
 *
 *     lr(t) = lrMin + (lr0 − lrMin) · (1 + cos(π · T_cur / T_i)) / 2
 *
 * where T_i is the length of the current period (period · periodMult^i) and T_cur the steps since it began: the
 * value falls from lr0 towards lrMin and jumps back to lr0 at each restart.
 */
export function cosineWarmRestarts({ lr0, period, periodMult = 1, lrMin = 0 }: CosineWarmRestartsOptions): Schedule {
  checkFinite("cosineWarmRestarts", { lr0, lrMin }, ["lr0"]);
  checkInteger("cosineWarmRestarts", "period", period, 1);
  checkInteger("cosineWarmRestarts", "periodMult", periodMult, 1);
  return (t) => {
    if (!Number.isFinite(t)) return NaN;
    let tCur = t;
    let tI = period;
    if (periodMult === 1)
      tCur = t % period; // fmod is exact: the same T_cur as PyTorch's repeated subtraction
    else {
      while (tCur >= tI) {
        // O(log t) periods
        tCur -= tI;
        tI *= periodMult;
      }
    }
    return lrMin + ((lr0 - lrMin) * (1 + Math.cos((Math.PI * tCur) / tI))) / 2;
  };
}
