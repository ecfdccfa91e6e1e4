import * as core from "@slope/core";
import { type Var, type VarLike, record, toVars } from "../var.js";
import { matmul } from "../ops/matmul.js";
import { sum } from "../ops/sum.js";

/**
 * The linear score function s = x·W + b (x [N, D], W [D, C], b [C]), one node:
 *   ∂L/∂x = G·Wᵀ,  ∂L/∂W = xᵀ·G,  ∂L/∂b = Σᵢ Gᵢ
 * with G = ∂L/∂s; the products read Wᵀ and xᵀ in place.
 */
export function linear(x: VarLike, W: VarLike, b?: VarLike): Var {
  const [input, weights, bias] = toVars(x, W, ...(b === undefined ? [] : [b])) as [Var, Var, Var | undefined];
  if (input.shape.length !== 2 || weights.shape.length !== 2) {
    throw new core.ShapeError(
      `linear: expected x [N, D] and W [D, C], got ${core.formatShape(input.shape)} and ${core.formatShape(weights.shape)}`,
    );
  }
  let scores = core.matmul(input.value, weights.value);
  if (bias) {
    if (bias.shape.length !== 1 || bias.shape[0] !== weights.shape[1]) {
      throw new core.ShapeError(
        `linear: expected b of shape [${weights.shape[1]}], got ${core.formatShape(bias.shape)}`,
      );
    }
    scores = core.add(scores, bias.value);
  }
  const inputs = bias ? [input, weights, bias] : [input, weights];
  return record("linear", scores, inputs, (g, _, needs) => [
    needs[0] ? matmul(g, weights, { transposeB: true }) : null,
    needs[1] ? matmul(input, g, { transposeA: true }) : null,
    ...(bias ? [needs[2] ? sum(g, 0) : null] : []),
  ]);
}
