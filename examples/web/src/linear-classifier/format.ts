/**
 * A number for a narrow table cell: fixed to `digits` decimals while it is small, in exponent form
 * once it is not (so a diverging value never overflows its cell), and "∞"/"NaN" said as such.
 */
export function formatNumber(v: number, digits = 3): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  const text = Math.abs(v) >= 1e4 ? v.toExponential(2) : v.toFixed(digits);
  return text.replace("-", "−");
}
