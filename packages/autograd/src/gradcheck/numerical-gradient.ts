import * as core from "@slope/core";
import * as internal from "@slope/core/internal";

/** Options of `numericalGradient`: the step h and the difference formula. */
export interface NumericalGradientOptions {
  /** The step h (1e-5 by default). */
  h?: number;
  /** "central": (f(x+h) − f(x−h)) / 2h, error O(h²); "forward": (f(x+h) − f(x)) / h, error O(h). */
  method?: "central" | "forward";
}

/**
 * The lecture's eval_numerical_gradient: for every coordinate i, nudge xᵢ by h, evaluate f, and put
 * xᵢ back exactly as it was. Costs 2 evaluations of f per coordinate (central), which is why it is
 * only used to check the analytic gradient. Use float64: in float32 the rounding swamps h.
 */
export function numericalGradient(
  f: (x: core.Tensor) => number,
  x: core.Tensor,
  options: NumericalGradientOptions = {},
): core.Tensor {
  const { h = 1e-5, method = "central" } = internal.checkOptions(options, ["h", "method"], "numericalGradient");
  if (!(h > 0) || !Number.isFinite(h))
    throw new core.ValueError(`numericalGradient: h must be a positive finite number, got ${h}`);
  if (method !== "central" && method !== "forward") {
    throw new core.ValueError(
      `numericalGradient: method must be "central" or "forward", got ${JSON.stringify(method)}`,
    );
  }
  const gradient = core.zerosLike(x);
  const base = method === "forward" ? f(x) : 0;
  for (let i = 0; i < x.size; i++) gradient.data[i] = partialDerivative(f, x, i, h, method, base);
  return gradient;
}

/**
 * ∂f/∂xᵢ by one finite difference — central (f(x+h) − f(x−h)) / 2h, or forward (f(x+h) − f(x)) / h
 * given f(x) as `base` — putting xᵢ back exactly as it was, even if f throws.
 */
export function partialDerivative(
  f: (x: core.Tensor) => number,
  x: core.Tensor,
  i: number,
  h: number,
  method: "central" | "forward" = "central",
  base = 0,
): number {
  const data = x.data;
  const old = data[i]!;
  try {
    data[i] = old + h;
    const plus = f(x);
    if (method === "forward") return (plus - base) / h;
    data[i] = old - h;
    return (plus - f(x)) / (2 * h);
  } finally {
    data[i] = old;
  }
}
