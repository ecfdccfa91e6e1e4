import * as core from "@slope/core";
import { type Var, type VarLike, record, toVars } from "../var.js";
import { sumTo } from "./sum-to.js";

/**
 * C = op(A)·op(B) (op transposes when asked; 2-D, or batched 3-D). With G = ∂L/∂C:
 *   C = A·B:    ∂A = G·Bᵀ,   ∂B = Aᵀ·G
 *   C = Aᵀ·B:   ∂A = B·Gᵀ,   ∂B = A·G
 *   C = A·Bᵀ:   ∂A = G·B,    ∂B = Gᵀ·A
 *   C = Aᵀ·Bᵀ:  ∂A = Bᵀ·Gᵀ,  ∂B = Gᵀ·Aᵀ
 * every product read transposed in place; a broadcast batch is summed back.
 */
export function matmul(a: VarLike, b: VarLike, options: core.MatmulOptions = {}): Var {
  const [x, y] = toVars(a, b) as [Var, Var];
  const tA = options.transposeA ?? false;
  const tB = options.transposeB ?? false;
  return record("matmul", core.matmul(x.value, y.value, options), [x, y], (g, _, needs) => {
    let dA: Var | null = null;
    let dB: Var | null = null;
    if (needs[0]) {
      dA = !tA
        ? matmul(g, y, { transposeB: !tB })
        : matmul(y, g, { transposeA: tB, transposeB: true });
      dA = sumTo(dA, x.shape);
    }
    if (needs[1]) {
      dB = !tB
        ? matmul(x, g, { transposeA: !tA })
        : matmul(g, x, { transposeA: true, transposeB: tA });
      dB = sumTo(dB, y.shape);
    }
    return [dA, dB];
  }, { transposeA: tA, transposeB: tB });
}
