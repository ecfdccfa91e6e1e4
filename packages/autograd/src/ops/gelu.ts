import * as core from "@slope/core";
import * as internal from "@slope/core/internal";
import { type Var, type VarLike, record, toVar } from "../var.js";
import { add } from "./add.js";
import { erf } from "./erf.js";
import { exp } from "./exp.js";
import { mul } from "./mul.js";
import { square } from "./square.js";
import { sub } from "./sub.js";
import { tanh } from "./tanh.js";

/** Options of `gelu`: PyTorch's `approximate`. */
export interface GeluOptions {
  /** "none" (the default) for the exact x·Φ(x), "tanh" for the tanh approximation. */
  approximate?: "none" | "tanh";
}

const SQRT_HALF = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const K = Math.sqrt(2 / Math.PI);
const C = 0.044715;

/**
 * GELU, as torch.nn.functional.gelu:
 *   "none":  y = x·Φ(x) = ½x(1 + erf(x/√2));  ∂L/∂x = g·(Φ(x) + x·φ(x)), φ(x) = e^(−x²/2)/√(2π)
 *   "tanh":  y = ½x(1 + t), t = tanh(√(2/π)(x + 0.044715x³));
 *            ∂L/∂x = g·(½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²))
 * The derivative is written with differentiable ops of x, so second derivatives work.
 */
export function gelu(a: VarLike, options: GeluOptions = {}): Var {
  const { approximate = "none" } = internal.checkOptions(options, ["approximate"], "gelu");
  if (approximate !== "none" && approximate !== "tanh") {
    throw new core.ValueError(`gelu: approximate must be "none" or "tanh", got ${String(approximate)}`);
  }
  const x = toVar(a);
  if (approximate === "none") {
    const value = core.mul(core.mul(x.value, 0.5), core.add(core.erf(core.mul(x.value, SQRT_HALF)), 1));
    return record(
      "gelu",
      value,
      [x],
      (g) => {
        const cdf = mul(add(erf(mul(x, SQRT_HALF)), 1), 0.5);
        const pdf = mul(exp(mul(square(x), -0.5)), INV_SQRT_2PI);
        return [mul(g, add(cdf, mul(x, pdf)))];
      },
      { approximate },
    );
  }
  const inner = (v: core.Tensor) => core.mul(core.add(v, core.mul(core.mul(core.square(v), v), C)), K);
  const value = core.mul(core.mul(x.value, 0.5), core.add(core.tanh(inner(x.value)), 1));
  return record(
    "gelu",
    value,
    [x],
    (g) => {
      const x2 = square(x);
      const t = tanh(mul(add(x, mul(mul(x2, x), C)), K));
      const slope = mul(add(mul(x2, 3 * C), 1), K);
      const derivative = add(mul(add(t, 1), 0.5), mul(mul(x, sub(1, square(t))), mul(slope, 0.5)));
      return [mul(g, derivative)];
    },
    { approximate },
  );
}
