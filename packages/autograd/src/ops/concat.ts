import * as core from "@slope/core";
import { type Var, type VarLike, record, toVars } from "../var.js";
import { slice } from "./slice.js";

/** y = the inputs joined along `axis`; ∂L/∂xᵢ = the slice of g where xᵢ sits. */
export function concat(parts: readonly VarLike[], axis = 0): Var {
  if (!Array.isArray(parts)) {
    throw new core.ValueError(
      `concat: expected an array of Vars or Tensors, got ${parts === null ? "null" : typeof parts}`,
    );
  }
  const xs = toVars(...parts);
  const value = core.concat(
    xs.map((x) => x.value),
    axis,
  );
  const a = core.normalizeAxis(axis, value.shape.length, "concat");
  return record(
    "concat",
    value,
    xs,
    (g, _, needs) => {
      let offset = 0;
      return xs.map((x, i) => {
        const begin = x.shape.map((_, d) => (d === a ? offset : 0));
        offset += x.shape[a]!;
        return needs[i] ? slice(g, begin, x.shape) : null;
      });
    },
    { axis: a },
  );
}
