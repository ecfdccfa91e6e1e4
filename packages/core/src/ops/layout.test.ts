import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arange, randn, tensor, zeros } from "../create.js";
import { DTypeError, IndexError, ShapeError } from "../errors.js";
import { Rng } from "../rng.js";
import {
  broadcastTo,
  cast,
  concat,
  expandDims,
  gather,
  pad,
  reshape,
  scatterAddRows,
  slice,
  squeeze,
  sumTo,
  transpose,
} from "./layout.js";

const dtypes = ["float32", "float64"] as const;

describe.each(dtypes)("layout ops in %s", (dtype) => {
  const range = (n: number) => arange(n, undefined, 1, { dtype });

  it("reshape keeps row-major order and infers one -1", () => {
    const r = reshape(range(6), [2, -1]);
    expect(r.shape).toEqual([2, 3]);
    expect(r.toArray()).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(reshape(range(6), [-1]).shape).toEqual([6]);
    expect(() => reshape(range(6), [4, -1])).toThrow(/cannot reshape \[6\] \(6 elements\) into \[4, -1\]/);
    expect(() => reshape(range(6), [-1, -1])).toThrow(/only one dimension can be -1/);
    expect(() => reshape(range(6), [5])).toThrow(ShapeError);
  });

  it("transpose reverses axes by default and takes any permutation", () => {
    expect(transpose(reshape(range(6), [2, 3])).toArray()).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    const t = transpose(reshape(range(24), [2, 3, 4]), [1, 2, 0]);
    expect(t.shape).toEqual([3, 4, 2]);
    expect(t.get(2, 1, 1)).toBe(1 * 12 + 2 * 4 + 1);
    expect(() => transpose(range(6), [0, 0] as never)).toThrow(/expected a permutation of 1 axes/);
  });

  it("slice cuts a block, with -1 meaning to the end", () => {
    const m = reshape(range(12), [3, 4]);
    expect(slice(m, [1, 1], [2, 2]).toArray()).toEqual([
      [5, 6],
      [9, 10],
    ]);
    expect(slice(m, [2]).toArray()).toEqual([[8, 9, 10, 11]]);
    expect(slice(m, [0, 3], [-1, 1]).toArray()).toEqual([[3], [7], [11]]);
    expect(slice(m, [0, 0], [0, 4]).shape).toEqual([0, 4]);
    expect(() => slice(m, [2, 0], [2, 4])).toThrow(IndexError);
  });

  it("concat joins along any axis", () => {
    const a = tensor([[1, 2]], { dtype });
    const b = tensor(
      [
        [3, 4],
        [5, 6],
      ],
      { dtype },
    );
    expect(concat([a, b]).toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(concat([b, b], -1).toArray()).toEqual([
      [3, 4, 3, 4],
      [5, 6, 5, 6],
    ]);
    expect(() => concat([a, b], 1)).toThrow(/differ outside axis 1/);
    expect(() => concat([a, tensor([[1, 2]], { dtype: dtype === "float32" ? "float64" : "float32" })])).toThrow(
      DTypeError,
    );
  });

  it("gather takes rows by index, into a fresh or a supplied output", () => {
    const x = reshape(range(12), [4, 3]);
    const idx = new Int32Array([3, 0, 3]);
    const g = gather(x, idx);
    expect(g.toArray()).toEqual([
      [9, 10, 11],
      [0, 1, 2],
      [9, 10, 11],
    ]);
    const out = zeros([2, 3], { dtype });
    const same = gather(x, [1, 2], { out });
    expect(same).toBe(out);
    expect(out.toArray()).toEqual([
      [3, 4, 5],
      [6, 7, 8],
    ]);
    expect(() => gather(x, [4])).toThrow(/index 4 at position 0 is outside \[0, 4\)/);
    expect(() => gather(x, [0], { out })).toThrow(/out has shape \[2, 3\], expected \[1, 3\]/);
  });

  it("cast converts and copies; expandDims and squeeze add and remove unit axes", () => {
    const other = dtype === "float32" ? "float64" : "float32";
    const c = cast(tensor([0.5, 2], { dtype }), other);
    expect(c.dtype).toBe(other);
    expect(Array.from(c.data)).toEqual([0.5, 2]);
    expect(expandDims(range(3), 0).shape).toEqual([1, 3]);
    expect(squeeze(zeros([1, 3, 1], { dtype })).shape).toEqual([3]);
    expect(() => squeeze(zeros([2, 3]), 0)).toThrow(/axis 0 of \[2, 3\] has size 2/);
  });
});

describe("layout properties", () => {
  const shapes = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 });
  it("transposing twice by a permutation and its inverse is the identity", () => {
    fc.assert(
      fc.property(shapes, fc.integer(), (shape, seed) => {
        const x = randn(shape, { rng: new Rng(seed), dtype: "float64" });
        const perm = new Rng(seed + 1).permutation(shape.length);
        const inverse = new Array<number>(shape.length);
        perm.forEach((p, i) => {
          inverse[p] = i;
        });
        const back = transpose(transpose(x, [...perm]), inverse);
        return back.shape.join() === x.shape.join() && back.data.every((v, i) => v === x.data[i]);
      }),
    );
  });

  it("reshape round-trips", () => {
    fc.assert(
      fc.property(shapes, (shape) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const x = arange(n, undefined, 1, { dtype: "float64" });
        const back = reshape(reshape(x, shape), [-1]);
        return back.data.every((v, i) => v === i);
      }),
    );
  });
});

describe("adjoint layout ops", () => {
  it("scatterAddRows adds rows back where gather took them, repeated indices summing", () => {
    const rows = tensor(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      { dtype: "float64" },
    );
    expect(scatterAddRows(rows, [2, 0, 2], [3, 2]).toArray()).toEqual([
      [3, 4],
      [0, 0],
      [6, 8],
    ]);
    expect(() => scatterAddRows(rows, [3, 0, 0], [3, 2])).toThrow(/index 3 at position 0/);
  });

  it("pad places a block inside zeros and undoes slice", () => {
    const x = reshape(arange(12, undefined, 1, { dtype: "float64" }), [3, 4]);
    const block = slice(x, [1, 1], [2, 2]);
    expect(pad(block, [1, 1], [3, 4]).toArray()).toEqual([
      [0, 0, 0, 0],
      [0, 5, 6, 0],
      [0, 9, 10, 0],
    ]);
    expect(() => pad(block, [2, 2], [3, 4])).toThrow(ShapeError);
  });

  it("broadcastTo repeats and sumTo sums back over the broadcast axes", () => {
    const col = tensor([[1], [2]]);
    const b = broadcastTo(col, [3, 2, 2]);
    expect(b.shape).toEqual([3, 2, 2]);
    expect(b.toArray()).toEqual([
      [
        [1, 1],
        [2, 2],
      ],
      [
        [1, 1],
        [2, 2],
      ],
      [
        [1, 1],
        [2, 2],
      ],
    ]);
    expect(sumTo(b, [2, 1]).toArray()).toEqual([[6], [12]]);
    expect(sumTo(b, [2]).toArray()).toEqual([9, 9]);
    expect(() => broadcastTo(col, [2, 3, 1])).toThrow(ShapeError);
  });
});
