import * as core from "@slope/core";
import { type VarLike, toVar } from "../var.js";

/**
 * The index of the largest value along `axis` (of the flattened x when omitted), the first on ties,
 * as a Tensor of x's dtype: an index has no gradient, so this is not a node of the graph.
 */
export function argmax(a: VarLike, axis?: number, keepDims = false): core.Tensor {
  return core.argmax(toVar(a).value, axis, keepDims);
}
