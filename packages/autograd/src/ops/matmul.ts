import * as core from "@slope/core";
import * as internal from "@slope/core/internal";
import { type Var, type VarLike, record, toVars } from "../var.js";
import { reshape } from "./reshape.js";
import { sumTo } from "./sum-to.js";

/**
 * C = op(A)·op(B) (op transposes when asked; 2-D, or batched 3-D). With G = ∂L/∂C:
 *   C = A·B:    ∂A = G·Bᵀ,   ∂B = Aᵀ·G
 *   C = Aᵀ·B:   ∂A = B·Gᵀ,   ∂B = A·G
 *   C = A·Bᵀ:   ∂A = G·B,    ∂B = Gᵀ·A
 *   C = Aᵀ·Bᵀ:  ∂A = Bᵀ·Gᵀ,  ∂B = Gᵀ·Aᵀ
 * every product read transposed in place; a broadcast batch is summed back.
 *
 * 1-D operands follow numpy's rules: a vector on the left is a row [1, k], one on the right a column
 * [k, 1], and the added axis is removed from the product (1-D·2-D → [n], 2-D·1-D → [m], 1-D·1-D → []).
 * A vector has no orientation, so transposeA/B are ignored for it. Both are reshapes, so the
 * gradient flows back through them unchanged.
 */
export function matmul(a: VarLike, b: VarLike, options: core.MatmulOptions = {}): Var {
  internal.checkOptions(options, ["transposeA", "transposeB"], "matmul");
  const [x, y] = toVars(a, b) as [Var, Var];
  if (x.shape.length === 1 || y.shape.length === 1) {
    const left = x.shape.length === 1 ? reshape(x, [1, x.shape[0]!]) : x;
    const right = y.shape.length === 1 ? reshape(y, [y.shape[0]!, 1]) : y;
    const product = matmul(left, right, {
      transposeA: x.shape.length === 1 ? false : options.transposeA,
      transposeB: y.shape.length === 1 ? false : options.transposeB,
    });
    const rank = product.shape.length;
    const shape = product.shape.filter(
      (_, d) => !(d === rank - 2 && x.shape.length === 1) && !(d === rank - 1 && y.shape.length === 1),
    );
    return reshape(product, shape);
  }
  const tA = options.transposeA ?? false;
  const tB = options.transposeB ?? false;
  return record(
    "matmul",
    core.matmul(x.value, y.value, options),
    [x, y],
    (g, _, needs) => {
      let dA: Var | null = null;
      let dB: Var | null = null;
      if (needs[0]) {
        dA = !tA ? matmul(g, y, { transposeB: !tB }) : matmul(y, g, { transposeA: tB, transposeB: true });
        dA = sumTo(dA, x.shape);
      }
      if (needs[1]) {
        dB = !tB ? matmul(x, g, { transposeA: !tA }) : matmul(g, x, { transposeA: true, transposeB: tA });
        dB = sumTo(dB, y.shape);
      }
      return [dA, dB];
    },
    { transposeA: tA, transposeB: tB },
  );
}
