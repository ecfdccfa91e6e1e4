import type { FloatArray } from "../dtype.js";
import type { Kernels } from "./types.js";

// x is viewed as [outer, channels, inner] and every statistic is per channel, over outer × inner
// elements: batch norm of [N, C, H, W] is [N, C, H·W]; layer norm of rows [R, D] is [1, R, D].
// Every loop walks x in memory order, accumulating into per-channel float64 scratch.

/** Grows-only float64 scratch for the per-channel sums of the backward pass. */
let scratch = new Float64Array(256);
function scratchOf(size: number): Float64Array {
  if (scratch.length < size) scratch = new Float64Array(Math.max(size, scratch.length * 2));
  return scratch;
}

/**
 * Σ over outer × inner of f(x − shift[c]) per channel into `out[c]` (f the identity, or the square when a
 * shift is given). Four partial sums per row: a single chained sum waits on each add's latency (measured:
 * bench/README.md, "Measured in code comments").
 */
function channelSums(
  out: Float64Array,
  x: FloatArray,
  outer: number,
  channels: number,
  inner: number,
  shift: Float64Array | null,
): void {
  out.fill(0, 0, channels);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const base = (o * channels + c) * inner,
        end = base + inner;
      const m = shift === null ? 0 : shift[c]!;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0,
        i = base;
      if (shift === null) {
        for (; i + 4 <= end; i += 4) {
          s0 += x[i]!;
          s1 += x[i + 1]!;
          s2 += x[i + 2]!;
          s3 += x[i + 3]!;
        }
        for (; i < end; i++) s0 += x[i]!;
      } else {
        for (; i + 4 <= end; i += 4) {
          const d0 = x[i]! - m,
            d1 = x[i + 1]! - m,
            d2 = x[i + 2]! - m,
            d3 = x[i + 3]! - m;
          s0 += d0 * d0;
          s1 += d1 * d1;
          s2 += d2 * d2;
          s3 += d3 * d3;
        }
        for (; i < end; i++) {
          const d = x[i]! - m;
          s0 += d * d;
        }
      }
      out[c]! += s0 + s1 + (s2 + s3);
    }
  }
}

/** The kernels of batch and layer normalization (spread into the JavaScript backend). */
export const normalizationKernels: Pick<Kernels, "batchNormStatistics" | "batchNormForward" | "batchNormBackward"> = {
  batchNormStatistics(mean, variance, x, outer, channels, inner) {
    // Two sweeps (mean, then Σ(x − μ)²) rather than Σx² − nμ²: no cancellation when |μ| ≫ σ.
    const n = outer * inner;
    channelSums(mean, x, outer, channels, inner, null);
    for (let c = 0; c < channels; c++) mean[c] = mean[c]! / n;
    channelSums(variance, x, outer, channels, inner, mean);
    for (let c = 0; c < channels; c++) variance[c] = variance[c]! / n;
  },

  batchNormForward(out, normalized, x, outer, channels, inner, mean, invStd, weight, bias) {
    for (let o = 0; o < outer; o++) {
      for (let c = 0; c < channels; c++) {
        const base = (o * channels + c) * inner;
        const m = mean[c]!,
          s = invStd[c]!;
        const w = weight === null ? 1 : weight[c]!,
          b = bias === null ? 0 : bias[c]!;
        if (normalized === null) {
          for (let i = 0; i < inner; i++) out[base + i] = (x[base + i]! - m) * s * w + b;
        } else {
          for (let i = 0; i < inner; i++) {
            const h = (x[base + i]! - m) * s;
            normalized[base + i] = h;
            out[base + i] = h * w + b;
          }
        }
      }
    }
  },

  batchNormBackward(dx, dWeight, dBias, g, normalized, outer, channels, inner, invStd, weight, training) {
    const n = outer * inner;
    const needSums = training || dWeight !== null || dBias !== null;
    const sums = scratchOf(2 * channels);
    if (needSums) {
      // sums[c] = Σ g, sums[channels + c] = Σ g·x̂, over the channel's elements.
      sums.fill(0, 0, 2 * channels);
      for (let o = 0; o < outer; o++) {
        for (let c = 0; c < channels; c++) {
          const base = (o * channels + c) * inner;
          const end = base + inner;
          let sg0 = 0,
            sg1 = 0,
            sgh0 = 0,
            sgh1 = 0,
            i = base;
          for (; i + 2 <= end; i += 2) {
            const g0 = g[i]!,
              g1 = g[i + 1]!;
            sg0 += g0;
            sg1 += g1;
            sgh0 += g0 * normalized[i]!;
            sgh1 += g1 * normalized[i + 1]!;
          }
          if (i < end) {
            sg0 += g[i]!;
            sgh0 += g[i]! * normalized[i]!;
          }
          sums[c]! += sg0 + sg1;
          sums[channels + c]! += sgh0 + sgh1;
        }
      }
      if (dWeight !== null) for (let c = 0; c < channels; c++) dWeight[c] = sums[channels + c]!;
      if (dBias !== null) for (let c = 0; c < channels; c++) dBias[c] = sums[c]!;
    }
    if (dx === null) return;
    for (let o = 0; o < outer; o++) {
      for (let c = 0; c < channels; c++) {
        const base = (o * channels + c) * inner;
        const scale = (weight === null ? 1 : weight[c]!) * invStd[c]!;
        if (!training) {
          for (let i = 0; i < inner; i++) dx[base + i] = g[base + i]! * scale;
        } else {
          // dx = (γ·inv/n)·(n·g − Σg − x̂·Σ(g·x̂))
          const k = scale / n,
            sg = sums[c]!,
            sgh = sums[channels + c]!;
          for (let i = 0; i < inner; i++) dx[base + i] = k * (n * g[base + i]! - sg - normalized[base + i]! * sgh);
        }
      }
    }
  },
};
