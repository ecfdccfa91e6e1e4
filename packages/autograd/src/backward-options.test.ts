import * as core from "@slope/core";
import { describe, expect, it } from "vitest";
import { sum } from "./ops/index.js";
import { param } from "./var.js";
import "./methods/install-all.js"; // loss.backward() and the other methods of Var

describe("backward's arguments", () => {
  const f64 = (v: number[]) => core.tensor(v, { dtype: "float64" });

  it("backward({ retainGraph: true }) (options where the seed goes) is a ValueError that shows the right call", () => {
    const loss = sum(param(f64([1, 2])));
    expect(() => loss.backward({ retainGraph: true } as never)).toThrow(core.ValueError);
    expect(() => loss.backward({ retainGraph: true } as never)).toThrow(
      /options come second: backward\(undefined, \{ retainGraph: true \}\)/,
    );
    expect(() => loss.backward(null as never)).toThrow(/seed must be a Tensor/);
    loss.backward(undefined, { retainGraph: true });
    loss.backward();
  });

  it("null options, an unknown option or a non-boolean flag is a ValueError", () => {
    const loss = sum(param(f64([1, 2])));
    expect(() => loss.backward(undefined, null as never)).toThrow(core.ValueError);
    expect(() => loss.backward(undefined, { retain_graph: true } as never)).toThrow(/unknown option "retain_graph"/);
    expect(() => loss.backward(undefined, { retainGraph: "yes" } as never)).toThrow(/must be booleans/);
  });
});
