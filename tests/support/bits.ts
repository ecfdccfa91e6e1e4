// Bit-for-bit comparison of tensors without vitest's deep compare (which can take minutes on large arrays).
import type { Tensor } from "@slope/core";

/** The raw bits of a tensor's elements, as 32-bit words (a float64 element is two). A view: copy it to keep it. */
export function bits(t: Tensor): Uint32Array {
  return new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.byteLength / 4);
}

/** The first index where two word arrays differ (a missing word counts as different), or −1. */
export function firstDifference(a: Uint32Array, b: Uint32Array): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return -1;
}
