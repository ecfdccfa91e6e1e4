import { ValueError } from "@slope/core";

/** A size given as one number for both spatial dimensions or as [height, width]. */
export type Pair = number | readonly [number, number];

/** The [height, width] of a `Pair`, checked to be integers ≥ `min`. */
export function toPair(layer: string, name: string, value: Pair, min: number): [number, number] {
  const pair: readonly unknown[] = typeof value === "number" ? [value, value] : value;
  const [height, width] = Array.isArray(pair) && pair.length === 2 ? pair : [];
  const fits = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= min;
  if (!fits(height) || !fits(width)) {
    throw new ValueError(
      `${layer}: ${name} must be an integer ≥ ${min} or a pair of them, got ${JSON.stringify(value)}`,
    );
  }
  return [height, width];
}
