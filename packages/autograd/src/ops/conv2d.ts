import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar, toVars } from "../var.js";
import { sum } from "./sum.js";

/**
 * The 2-D convolution of PyTorch (NCHW, w [out, in/groups, kh, kw], a cross-correlation):
 *   y[n, o, i, j] = b[o] + Σ_{c, p, q} w[o, c, p, q] · x[n, c, i·sh − ph + p·dh, j·sw − pw + q·dw].
 * y is bilinear in (x, w), so with G = ∂L/∂y its vector-Jacobian products are two more bilinear maps,
 *   ∂x = conv2dBackwardInput(G, w)   (the transposed convolution)
 *   ∂w = conv2dBackwardWeight(x, G)  (the correlation of x with G)
 *   ∂b = Σ_{n,i,j} G[n, o, i, j]
 * and the three are each other's adjoints (below), so derivatives of any order work.
 */
export function conv2d(
  input: VarLike,
  weight: VarLike,
  bias: VarLike | null = null,
  options: core.Conv2dOptions = {},
): Var {
  const [x, w] = toVars(input, weight) as [Var, Var];
  const b = bias === null || bias === undefined ? null : toVar(bias, x.dtype);
  const value = core.conv2d(x.value, w.value, b?.value ?? null, options);
  const spatial = x.shape.length === 4 ? [0, 2, 3] : [1, 2];
  return record(
    "conv2d",
    value,
    b === null ? [x, w] : [x, w, b],
    (g, _, needs) => [
      needs[0] ? conv2dBackwardInput(g, w, x.shape, options) : null,
      needs[1] ? conv2dBackwardWeight(x, g, w.shape, options) : null,
      b !== null && needs[2] ? sum(g, spatial) : null,
    ],
    { ...options },
  );
}

/**
 * dx = the gradient of conv2d(x, w) with respect to x of `inputShape`, given G (a transposed convolution).
 * Linear in each of G and w: with H = ∂L/∂dx, ∂G = conv2d(H, w) and ∂w = conv2dBackwardWeight(H, G).
 */
export function conv2dBackwardInput(
  grad: VarLike,
  weight: VarLike,
  inputShape: readonly number[],
  options: core.Conv2dOptions = {},
): Var {
  const [g, w] = toVars(grad, weight) as [Var, Var];
  const value = core.conv2dBackwardInput(g.value, w.value, inputShape, options);
  return record("conv2dBackwardInput", value, [g, w], (h, _, needs) => [
    needs[0] ? conv2d(h, w, null, options) : null,
    needs[1] ? conv2dBackwardWeight(h, g, w.shape, options) : null,
  ]);
}

/**
 * dw = the gradient of conv2d(x, w) with respect to w of `weightShape`, given G.
 * Linear in each of x and G: with H = ∂L/∂dw, ∂x = conv2dBackwardInput(G, H) and ∂G = conv2d(x, H).
 */
export function conv2dBackwardWeight(
  input: VarLike,
  grad: VarLike,
  weightShape: readonly number[],
  options: core.Conv2dOptions = {},
): Var {
  const [x, g] = toVars(input, grad) as [Var, Var];
  const value = core.conv2dBackwardWeight(x.value, g.value, weightShape, options);
  return record("conv2dBackwardWeight", value, [x, g], (h, _, needs) => [
    needs[0] ? conv2dBackwardInput(g, h, x.shape, options) : null,
    needs[1] ? conv2d(x, h, null, options) : null,
  ]);
}
