// Bad sizes, arrays and options are named errors that say what was expected and what came (issue #15).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arange, eye, fromData, full, ones, rand, randn, tensor, zeros, zerosLike } from "./create.js";
import { DTypeError, IndexError, ShapeError, ValueError } from "./errors.js";
import { add } from "./ops/elementwise.js";
import { broadcastTo, expandDims, gather, reshape, slice, squeeze, sumTo, transpose } from "./ops/layout.js";
import { gatherAt, scatterAddAt } from "./ops/pooling.js";
import { sum } from "./ops/reduce.js";
import { matmul } from "./ops/matmul.js";
import { Rng } from "./rng.js";
import { Tensor } from "./tensor.js";

describe("sizes no tensor can have", () => {
  it("zeros([1e6, 1e6]) and friends are a ShapeError naming the op and the shape, not a raw RangeError", () => {
    expect(() => zeros([1e6, 1e6])).toThrow(ShapeError);
    expect(() => zeros([1e6, 1e6])).toThrow(/zeros: shape \[1000000, 1000000\] has 1000000000000 elements/);
    expect(() => ones([1e6, 1e6])).toThrow(/^ones: /);
    expect(() => full([1e5, 1e5, 10], 2)).toThrow(/^full: /);
    expect(() => eye(1e6)).toThrow(/^eye: /);
    expect(() => randn([1e6, 1e6], { rng: new Rng(0) })).toThrow(/^randn: /);
    expect(() => rand([1e6, 1e6], { rng: new Rng(0) })).toThrow(/^rand: /);
  });

  it("arange(0, 1e12) is a ShapeError naming arange and its length", () => {
    expect(() => arange(0, 1e12)).toThrow(ShapeError);
    expect(() => arange(0, 1e12)).toThrow(/arange\(0, 1000000000000, 1\): shape \[1000000000000\]/);
    expect(() => arange(0, Infinity)).toThrow(ValueError);
  });

  it("a dimension that is negative, fractional, NaN or beyond 2⁵³ is a ShapeError, in every constructor", () => {
    for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 53 + 2]) {
      expect(() => zeros([2, bad])).toThrow(ShapeError);
      expect(() => new Tensor(new Float32Array(0), [bad, 0])).toThrow(ShapeError);
    }
    // new Tensor used to accept negative dimensions whose product matched the data.
    expect(() => new Tensor(new Float32Array(4), [-2, -2])).toThrow(/non-negative integer, got \[-2, -2\]/);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 4 }), (shape) => {
        const size = shape.reduce((p, d) => p * d, 1);
        const valid = shape.every((d) => d >= 0);
        const make = () => new Tensor(new Float32Array(Math.abs(size)), shape);
        if (valid) return make().size === size;
        expect(make).toThrow(ShapeError);
        return true;
      }),
    );
  });
});

describe("arrays that are not float32 or float64", () => {
  it("fromData(Int32Array) and new Tensor(Int32Array) are a DTypeError (no tensor that claims float32)", () => {
    expect(() => fromData(new Int32Array([1, 2, 3]) as never, [3])).toThrow(DTypeError);
    expect(() => fromData(new Int32Array([1, 2, 3]) as never, [3])).toThrow(/got Int32Array/);
    expect(() => new Tensor(new Uint8Array(3) as never, [3])).toThrow(DTypeError);
    expect(() => new Tensor([1, 2, 3] as never, [3])).toThrow(DTypeError);
  });

  it("gather into an out that came from non-float data is impossible, so values are never truncated", () => {
    const x = tensor([
      [1.5, 2.5],
      [3.5, 4.5],
    ]);
    expect(() => gather(x, [1, 0], { out: fromData(new Int32Array(4) as never, [2, 2]) })).toThrow(DTypeError);
    const out = zeros([2, 2]);
    gather(x, [1, 0], { out });
    expect(Array.from(out.data)).toEqual([3.5, 4.5, 1.5, 2.5]);
  });
});

describe("options objects", () => {
  const a = tensor([
    [1, 2],
    [3, 4],
  ]);
  it("matmul(a, b, null) is a ValueError, not a raw TypeError", () => {
    expect(() => matmul(a, a, null as never)).toThrow(ValueError);
    expect(() => matmul(a, a, null as never)).toThrow(/matmul: expected an options object .*got null/);
  });

  it("an unknown option name is a ValueError naming it, wherever options are taken", () => {
    expect(() => matmul(a, a, { tranposeA: true } as never)).toThrow(/matmul: unknown option "tranposeA"/);
    expect(() => matmul(a, a, { transposeA: 1 } as never)).toThrow(/must be booleans/);
    expect(() => zeros([2], { dtpye: "float64" } as never)).toThrow(/zeros: unknown option "dtpye"/);
    expect(() => tensor([1], { dtype: "float32", shap: [1] } as never)).toThrow(/tensor: unknown option "shap"/);
    expect(() => arange(3, undefined, 1, { type: "float64" } as never)).toThrow(/arange: unknown option/);
    expect(() => randn([2], { rng: new Rng(1), sd: 2 } as never)).toThrow(/randn: unknown option "sd"/);
    expect(() => rand([2], { rng: new Rng(1), max: 2 } as never)).toThrow(/rand: unknown option "max"/);
    expect(() => gather(a, [0], { output: zeros([1, 2]) } as never)).toThrow(/gather: unknown option "output"/);
    expect(() => gather(a, [0], null as never)).toThrow(ValueError);
  });
});

describe("arguments of the wrong kind", () => {
  const x = tensor([
    [1, 2],
    [3, 4],
  ]);
  it("a shape, permutation, begin or axis that is not a list of numbers is a named error, not a raw TypeError", () => {
    expect(() => reshape(x, null as never)).toThrow(ShapeError);
    expect(() => transpose(x, 1 as never)).toThrow(/transpose: perm must be an array of numbers/);
    expect(() => slice(x, null as never)).toThrow(/slice: begin must be an array/);
    expect(() => sum(x, null as never)).toThrow(IndexError);
    expect(() => sum(x, "0" as never)).toThrow(/axis must be a number/);
    expect(() => squeeze(x, null as never)).toThrow(ShapeError);
    expect(() => broadcastTo(x, null as never)).toThrow(ShapeError);
    expect(() => sumTo(x, [-1] as never)).toThrow(ShapeError);
    expect(() => zerosLike(null as never)).toThrow(ValueError);
    expect(() => expandDims(null as never, 0)).toThrow(ValueError);
  });

  it("a broadcast too large for any tensor is a ShapeError naming the op and both shapes", () => {
    expect(() => add(zeros([100000, 1]), zeros([1, 100000]))).toThrow(
      /add: shapes \[100000, 1\] and \[1, 100000\] broadcast to/,
    );
  });

  it("gatherAt and scatterAddAt refuse flat indices outside the tensor (which used to read NaN)", () => {
    expect(() => gatherAt(x, Int32Array.from([0, 4]), [2])).toThrow(IndexError);
    expect(() => gatherAt(x, Int32Array.from([0, 1]), [3])).toThrow(ShapeError);
    expect(() => scatterAddAt(tensor([1, 1]), Int32Array.from([0, -1]), [2, 2])).toThrow(IndexError);
    expect(Array.from(gatherAt(x, Int32Array.from([3, 0]), [2]).data)).toEqual([4, 1]);
  });
});

describe("the last raw errors of their kind", () => {
  it("windowAverageBackward names a bad input shape instead of a raw TypeError", async () => {
    const { windowAverageBackward, adaptiveAvgPoolWindows } = await import("./internal/index.js");
    const windows = adaptiveAvgPoolWindows("test", { shape: [1, 1, 4, 4] }, 2);
    expect(() => windowAverageBackward(zeros([1, 1, 2, 2]), windows, null as never)).toThrow(
      /inputShape must be an array of numbers, got null/,
    );
    expect(() => windowAverageBackward(zeros([1, 1, 2, 2]), windows, [1, -1, 4, 4])).toThrow(/non-negative integer/);
  });
  it("decodeBase64 of text that is not base64 is a DataFormatError", async () => {
    const { decodeBase64, DataFormatError } = await import("./index.js");
    expect(() => decodeBase64("not base64 at all!")).toThrow(DataFormatError);
  });
});
