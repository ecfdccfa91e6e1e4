/**
 * Values written the way Python prints them, so that a module's repr reads like PyTorch's:
 * floats with Python's repr (1.0, 0.1, 1e-05), booleans as True/False, null as None, pairs as tuples.
 */

/** Python's `repr(float)`: shortest round-trip digits, positional for 1e-4 ≤ |x| < 1e16, else 1e-05 style. */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, exponentText] = x.toExponential().split("e") as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const sign = exponent < 0 ? "-" : "+";
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  const text = String(x);
  return text.includes(".") ? text : `${text}.0`;
}

/** Python's repr of a bool. */
export function pythonBool(x: boolean): string {
  return x ? "True" : "False";
}

/** A number as Python would print the int or tuple PyTorch stores: 2, or (2, 2) for a pair. */
export function pythonIntOrTuple(x: number | readonly number[]): string {
  return typeof x === "number" ? String(x) : pythonTuple(x);
}

/** Python's repr of a tuple of ints: (3, 3), and (10,) for one element. */
export function pythonTuple(xs: readonly number[]): string {
  return xs.length === 1 ? `(${xs[0]},)` : `(${xs.join(", ")})`;
}
