import * as core from "@slope/core";
import { type Var, type VarLike, record, toVars } from "../var.js";
import { log } from "./log.js";
import { mul } from "./mul.js";
import { sub } from "./sub.js";
import { sumTo } from "./sum-to.js";
import { where } from "./where.js";

/**
 * y = aᵇ elementwise (broadcasting); ∂L/∂a = sumTo(g·b·aᵇ⁻¹), ∂L/∂b = sumTo(g·y·ln a), with PyTorch's
 * exact zeros where those formulas give 0·∞ = NaN: ∂(aᵇ)/∂a = 0 where b = 0 (a⁰ = 1 for every a, even
 * a = 0), and ∂(aᵇ)/∂b = 0 where a = 0 and b ≥ 0 (0ᵇ is constant there: y·ln a would be 0·(−∞)). The
 * masks are constants, so the gradients stay differentiable (grad(grad(f)) sees the same zeros).
 */
export function pow(a: VarLike, b: VarLike): Var {
  const [x, p] = toVars(a, b) as [Var, Var];
  return record("pow", core.pow(x.value, p.value), [x, p], (g, y, needs) => {
    // The masked entries take harmless operands (b = 1, a = 1) as well, so that no ∞ appears in the unused branch
    // of `where`, whose own gradient would then be 0·∞ = NaN at second order.
    const exponentZero = core.equal(p.value, 0);
    const baseZero = core.mul(core.equal(x.value, 0), core.greaterEqual(p.value, 0));
    const safeExponent = where(exponentZero, 1, p);
    return [
      needs[0] ? sumTo(where(exponentZero, 0, mul(g, mul(p, pow(x, sub(safeExponent, 1))))), x.shape) : null,
      needs[1] ? sumTo(where(baseZero, 0, mul(g, mul(y, log(where(baseZero, 1, x))))), p.shape) : null,
    ];
  });
}
