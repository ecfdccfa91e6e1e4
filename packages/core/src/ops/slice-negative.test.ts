import { describe, expect, it } from "vitest";
import { arange } from "../create.js";
import { IndexError } from "../errors.js";
import { reshape, slice } from "./layout.js";

describe("slice with negative begin indices (numpy's convention)", () => {
  const m = reshape(arange(0, 12, 1, { dtype: "float64" }), [3, 4]);

  it("−1 is the last element and −dim the first", () => {
    expect(slice(m, [-1, -1]).toArray()).toEqual([[11]]);
    expect(slice(m, [-3, 0], [1, -1]).toArray()).toEqual([[0, 1, 2, 3]]);
    expect(slice(m, [0, -2], [2, 2]).toArray()).toEqual([
      [2, 3],
      [6, 7],
    ]);
  });

  it("gives the same block as the positive index dim + begin", () => {
    for (let b = -3; b < 0; b++) {
      expect(slice(m, [b, 1], [1, 2]).toArray()).toEqual(slice(m, [3 + b, 1], [1, 2]).toArray());
    }
  });

  it("throws an IndexError naming the begin below −dim, or a block that runs past the end", () => {
    expect(() => slice(m, [-4, 0])).toThrow(IndexError);
    expect(() => slice(m, [-4, 0])).toThrow(/begin -4/);
    expect(() => slice(m, [-1, 0], [2, 4])).toThrow(IndexError);
  });
});
