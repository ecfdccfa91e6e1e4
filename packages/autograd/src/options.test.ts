import * as core from "@slope/core";
import { describe, expect, it } from "vitest";
import { grad } from "./backward.js";
import { gradCheck, numericalGradient, relError } from "./gradcheck/index.js";
import { svmLoss } from "./losses/index.js";
import {
  concat,
  dropout,
  gather,
  gelu,
  matmul,
  norm,
  softplus,
  split,
  sum,
  transpose,
  variance,
  where,
} from "./ops/index.js";
import { noGrad, param } from "./var.js";
import { toDot } from "./graph-export.js";

describe("options objects of @slope/autograd", () => {
  const x = param(
    core.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: "float64" },
    ),
  );
  it("null options are a ValueError, not a raw TypeError", () => {
    expect(() => matmul(x, x, null as never)).toThrow(core.ValueError);
    expect(() => svmLoss(x, [0, 1], null as never)).toThrow(core.ValueError);
    expect(() => gradCheck((v) => sum(v), [x.value], null as never)).toThrow(core.ValueError);
  });

  it("an unknown option name is a ValueError naming it", () => {
    const cases: [() => unknown, RegExp][] = [
      [() => matmul(x, x, { transposeA: true, transpose: true } as never), /matmul: unknown option "transpose"/],
      [() => svmLoss(x, [0, 1], { margin: 2 } as never), /svmLoss: unknown option "margin"/],
      [() => gelu(x, { approx: "tanh" } as never), /gelu: unknown option "approx"/],
      [() => softplus(x, { b: 2 } as never), /softplus: unknown option "b"/],
      [() => variance(x, 0, { unbiased: false } as never), /variance: unknown option "unbiased"/],
      [() => norm(x, { ord: 1 } as never), /norm: unknown option "ord"/],
      [() => dropout(x, 0.5, new core.Rng(1), { train: false } as never), /dropout: unknown option "train"/],
      [() => numericalGradient(() => 0, x.value, { step: 1e-3 } as never), /numericalGradient: unknown option "step"/],
      [() => gradCheck((v) => sum(v), [x.value], { tolerance: 1 } as never), /gradCheck: unknown option "tolerance"/],
      [() => param(x.value, { dtpye: "float64" } as never), /param: unknown option "dtpye"/],
      [() => toDot(sum(x), { title: "t" } as never), /toDot: unknown option "title"/],
    ];
    for (const [call, message] of cases) expect(call).toThrow(message);
  });
});

describe("arguments of the wrong kind in @slope/autograd", () => {
  const x = param(
    core.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: "float64" },
    ),
  );
  it("are named errors, not raw TypeErrors", () => {
    expect(() => transpose(x, 1 as never)).toThrow(core.ShapeError);
    expect(() => concat(null as never)).toThrow(core.ValueError);
    expect(() => gather(x, null as never)).toThrow(core.ValueError);
    expect(() => split(x, undefined as never)).toThrow(core.ShapeError);
    expect(() => where(null as never, x, x)).toThrow(core.ValueError);
    expect(() => relError(null as never, x.value)).toThrow(core.ValueError);
    expect(() => grad(null as never)).toThrow(core.ValueError);
    expect(() => grad((v) => sum(v))(null as never)).toThrow(core.ValueError);
    expect(() => noGrad(null as never)).toThrow(core.ValueError);
  });
});
