import seedrandom from "seedrandom";
import { ValueError } from "./errors.js";

/** What `Rng.state()` returns: plain JSON that `Rng.fromState` turns back into the same stream. */
export interface RngState {
  /** seedrandom's ARC4 state: two indices and the 256-byte permutation. */
  arc4: {
    /** ARC4's first index, in [0, 256). */
    i: number;
    /** ARC4's second index, in [0, 256). */
    j: number;
    /** The permutation of 0..255. */
    S: number[];
  };
  /** The second Box–Muller normal, kept for the next `normal()` call, or null. */
  spareNormal: number | null;
}

/**
 * Throws a ValueError unless `state` is one `rng.state()` can return: i and j integers in [0, 256),
 * S a permutation of 0..255 (ARC4 only ever swaps its entries; a table with repeats, such as all
 * zeros, gives a stream that is not uniform, or one whose uniform() never ends), spareNormal null
 * or a finite number. Nothing is built before the whole state is checked.
 */
function checkRngState(state: RngState): void {
  const fail: (what: string) => never = (what) => {
    throw new ValueError(`Rng.fromState: expected the object returned by rng.state(), but ${what}`);
  };
  if (typeof state !== "object" || state === null) fail(`got ${String(state)}`);
  const arc4 = state.arc4;
  if (typeof arc4 !== "object" || arc4 === null) fail(`arc4 is ${String(arc4)}`);
  for (const key of ["i", "j"] as const) {
    const v = arc4[key];
    if (!Number.isInteger(v) || v < 0 || v > 255) fail(`arc4.${key} is ${String(v)} (expected an integer in [0, 255])`);
  }
  const S = arc4.S;
  if (!Array.isArray(S) || S.length !== 256) fail(`arc4.S is not an array of 256 numbers`);
  const seen = new Uint8Array(256);
  for (let k = 0; k < 256; k++) {
    const v = S[k];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 255)
      fail(`arc4.S[${k}] is ${String(v)} (expected an integer in [0, 255])`);
    if (seen[v]) fail(`arc4.S repeats ${v} (at ${k}): it must be a permutation of 0..255`);
    seen[v] = 1;
  }
  const spare = state.spareNormal;
  if (spare !== null && !(typeof spare === "number" && Number.isFinite(spare))) {
    fail(`spareNormal is ${String(spare)} (expected null or a finite number)`);
  }
}

interface StatefulPrng {
  (): number;
  state(): { i: number; j: number; S: number[] };
}

/**
 * A seeded random number generator (seedrandom's ARC4 underneath): the same seed gives the same
 * numbers on every machine and in every browser. Every random thing in Slope takes one.
 */
export class Rng {
  private readonly prng: StatefulPrng;
  private spareNormal: number | null = null;

  constructor(seed: string | number) {
    if (typeof seed !== "string" && !(typeof seed === "number" && Number.isFinite(seed))) {
      throw new ValueError(`Rng: seed must be a string or a finite number, got ${String(seed)}`);
    }
    this.prng = seedrandom(String(seed), { state: true }) as unknown as StatefulPrng;
  }

  /** A generator that continues exactly where the one that produced `state` was. */
  static fromState(state: RngState): Rng {
    checkRngState(state);
    const rng = Object.create(Rng.prototype) as Rng;
    const prng = seedrandom("", {
      state: { i: state.arc4.i, j: state.arc4.j, S: [...state.arc4.S] } as unknown as boolean,
    });
    Object.assign(rng, { prng, spareNormal: state.spareNormal });
    return rng;
  }

  /** The generator's state as plain JSON (for checkpoints). */
  state(): RngState {
    const { i, j, S } = this.prng.state();
    return { arc4: { i, j, S: [...S] }, spareNormal: this.spareNormal };
  }

  /** A uniform double in [0, 1). */
  uniform(): number {
    return this.prng();
  }

  /** A standard normal N(0, 1) by the Box–Muller transform: √(−2 ln u₁)·cos(2πu₂), and its sine twin kept for the next call. */
  normal(): number {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal;
      this.spareNormal = null;
      return spare;
    }
    let u1 = 0;
    while (u1 === 0) u1 = this.prng();
    const u2 = this.prng();
    const radius = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = radius * Math.sin(2 * Math.PI * u2);
    return radius * Math.cos(2 * Math.PI * u2);
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new ValueError(`Rng.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.prng() * n);
  }

  /** A uniformly random permutation of 0..n−1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0)
      throw new ValueError(`Rng.permutation: n must be a non-negative integer, got ${n}`);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    return this.shuffle(out);
  }

  /** Shuffles an array or typed array in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [index: number]: unknown }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = Math.floor(this.prng() * (i + 1));
      const t = array[i];
      array[i] = array[j]!;
      array[j] = t;
    }
    return array;
  }
}
