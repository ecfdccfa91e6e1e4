import { describe, expect, it } from "vitest";
import { Rng } from "../rng.js";
import { erf } from "./erf.js";

/** The distance from a to b in units in the last place of b. */
function ulps(a: number, b: number): number {
  const bits = new Float64Array([Math.abs(b)]);
  new BigInt64Array(bits.buffer)[0]! += 1n;
  return Math.abs(a - b) / (bits[0]! - Math.abs(b));
}

// erf(x) correctly rounded to float64, computed with mpmath at 200 bits.
const reference: [number, number][] = [
  [1e-300, 1.1283791670955126e-300],
  [1e-10, 1.1283791670955126e-10],
  [3.7e-9, 4.1750029182533965e-9],
  [1e-5, 1.1283791670579e-5],
  [0.1, 0.1124629160182849],
  [0.25, 0.27632639016823696],
  [0.5, 0.5204998778130465],
  [0.6174, 0.6174107484113941],
  [0.84, 0.7651427114549945],
  [0.84375, 0.7672256612323416],
  [0.9, 0.7969082124228322],
  [1, 0.8427007929497149],
  [1.1, 0.8802050695740817],
  [1.2499, 0.922876473187532],
  [1.25, 0.9229001282564583],
  [1.5, 0.9661051464753108],
  [2, 0.9953222650189527],
  [2.5, 0.999593047982555],
  [2.857, 0.9999466417399131],
  [2.86, 0.9999475988269556],
  [3, 0.9999779095030014],
  [4, 0.9999999845827421],
  [5, 0.9999999999984626],
  [5.9, 0.9999999999999999],
  [6, 1],
  [-0.3, -0.3286267594591274],
  [-1, -0.8427007929497149],
  [-2, -0.9953222650189527],
  [-3.5, -0.9999992569016276],
];

describe("erf (fdlibm's s_erf.c in TypeScript)", () => {
  it("is within 1 ulp of high-precision values in every interval of the method", () => {
    for (const [x, expected] of reference) {
      const error = ulps(erf(x), expected);
      if (error > 1) throw new Error(`erf(${x}) = ${erf(x)}, expected ${expected} (${error} ulp)`);
    }
  });

  it("gives the brief's values exactly", () => {
    expect(erf(0.5)).toBe(0.5204998778130465);
    expect(erf(1)).toBe(0.8427007929497149);
    expect(erf(3)).toBe(0.9999779095030014);
    expect(erf(-2)).toBe(-0.9953222650189527);
    expect(erf(1e-10)).toBe(1.1283791670955126e-10);
  });

  it("is odd, ±1 at ±∞, ±0 at ±0 and NaN at NaN", () => {
    const rng = new Rng("erf-odd");
    for (let i = 0; i < 1000; i++) {
      const x = (rng.uniform() - 0.5) * 16;
      expect(erf(-x)).toBe(-erf(x));
    }
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(Object.is(erf(0), 0)).toBe(true);
    expect(Object.is(erf(-0), -0)).toBe(true);
    expect(erf(Number.NaN)).toBeNaN();
    expect(erf(5e-324)).toBe(5e-324); // the smallest subnormal: 2x/√π rounds back to it
  });

  it("is monotone and within [−1, 1] across the interval seams", () => {
    let previous = -1;
    for (let x = -7; x <= 7; x += 1 / 1024) {
      const y = erf(x);
      if (y < previous || Math.abs(y) > 1) {
        throw new Error(`erf not monotone or out of range at ${x}: ${y} after ${previous}`);
      }
      previous = y;
    }
  });
});
