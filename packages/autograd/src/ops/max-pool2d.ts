import * as core from "@slope/core";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { scatterAddAt } from "./gather-at.js";

/**
 * 2-D max pooling (NCHW or CHW, PyTorch's options): y[n, c, i, j] = max over the window of x[n, c, ·, ·].
 * ∂x: each window's G goes to the element that won it (the first maximum; NaN wins), and nowhere else.
 */
export function maxPool2d(input: VarLike, options: core.MaxPool2dOptions): Var {
  const x = toVar(input);
  const { output, indices } = core.maxPool2dWithIndices(x.value, options);
  return record("maxPool2d", output, [x], (g) => [scatterAddAt(g, indices, x.shape)], { ...options });
}
