import { ValueError } from "@slope/core";

/**
 * A number in a scheduler's JSON state: itself when JSON keeps it exactly (every finite number but −0), else one
 * of the strings "Infinity", "-Infinity", "NaN", "-0" (ReduceLROnPlateau's best starts at ±∞). JSON.stringify
 * then round-trips every float64 to the bit.
 */
export type StateNumber = number | "Infinity" | "-Infinity" | "NaN" | "-0";

/** `x` as a StateNumber. */
export function encodeStateNumber(x: number): StateNumber {
  if (Object.is(x, -0)) return "-0";
  if (Number.isFinite(x)) return x;
  return Number.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity";
}

/** The number a StateNumber stands for; anything else is a ValueError. */
export function decodeStateNumber(v: unknown, what: string): number {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (v === "-0") return -0;
  if (v === "Infinity" || v === "-Infinity" || v === "NaN") return Number(v);
  const expected = `a number or one of "Infinity", "-Infinity", "NaN", "-0"`;
  throw new ValueError(`${what}: expected ${expected} in the state, got ${JSON.stringify(v)}`);
}
