import * as core from "@slope/core";
import * as internal from "@slope/core/internal";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { add } from "./add.js";
import { firstOrderGradient } from "./batch-norm.js";
import { mul } from "./mul.js";

/**
 * Layer normalization (torch.nn.functional.layer_norm) over the last len(normalizedShape) dims of x, whose
 * sizes must equal normalizedShape; each group of D = ∏ normalizedShape values is normalized on its own:
 *   x̂ = (x − μ)·inv,  inv = 1/√(σ² + ε)  (μ and the biased σ² of the group),  y = x̂·γ + β
 * with γ (`weight`) and β (`bias`) of shape normalizedShape (absent: 1 and 0). With g = ∂L/∂x̂:
 *   ∂L/∂x = (inv/D)·(D·g − Σg − x̂·Σ(g·x̂))  (sums over the group)
 * x̂ is one fused node (statistics in float64 and x̂ by core kernels; then ·γ and +β are ordinary ops). Chosen
 * over composing mean/sub/square/mean/add/sqrt/div, which would allow second derivatives, because it measured
 * faster forward and backward (the numbers: bench/README.md, "Measured in code comments"). Its gradient is a
 * kernel, so layerNorm is first-order only:
 * differentiating its gradient again throws a GraphError.
 */
export function layerNorm(
  input: VarLike,
  normalizedShape: readonly number[],
  weight: VarLike | null,
  bias: VarLike | null,
  options: { eps?: number } = {},
): Var {
  const x = toVar(input);
  internal.checkShape(internal.checkList(normalizedShape, "layerNorm", "normalizedShape") as number[], "layerNorm");
  const k = normalizedShape.length;
  const trailing = x.shape.slice(x.shape.length - k);
  if (k === 0 || k > x.shape.length || !core.sameShape(trailing, normalizedShape)) {
    throw new core.ShapeError(
      `layerNorm: normalizedShape ${core.formatShape(normalizedShape)} must be the last dims ` +
        `of the input, got input of shape ${core.formatShape(x.shape)}`,
    );
  }
  const affine = (v: VarLike | null | undefined, name: string): Var | null => {
    if (v === null || v === undefined) return null;
    const t = toVar(v, x.dtype);
    if (!core.sameShape(t.shape, normalizedShape)) {
      const expected = core.formatShape(normalizedShape);
      throw new core.ShapeError(`layerNorm: ${name} must have shape ${expected}, got ${core.formatShape(t.shape)}`);
    }
    return t;
  };
  const gamma = affine(weight, "weight");
  const beta = affine(bias, "bias");
  const eps = options.eps ?? 1e-5;
  const { output, normalized, invStd } = internal.layerNormForward(x.value, core.sizeOf(normalizedShape), eps);
  const xHat = record(
    "layerNorm",
    output,
    [x],
    (g) => [firstOrderGradient(internal.layerNormBackward(g.value, normalized, invStd), "layerNorm", [g, x])],
    { normalizedShape: [...normalizedShape], eps },
  );
  const scaled = gamma === null ? xHat : mul(xHat, gamma);
  return beta === null ? scaled : add(scaled, beta);
}
