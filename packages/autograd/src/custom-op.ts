import * as core from "@slope/core";
import { type Var, type VarLike, record, toVars } from "./var.js";

/** A user-defined node: a forward over tensors and its hand-written vector-Jacobian product. */
export interface CustomOpDefinition {
  /** Shown in toDot and in error messages. */
  name: string;
  /** y = forward(inputs). */
  forward: (...inputs: core.Tensor[]) => core.Tensor;
  /**
   * ∂L/∂inputs from g = ∂L/∂y, the output y and the inputs, as tensors (or null for an input that
   * takes no gradient). Check it with gradCheck.
   */
  backward: (g: core.Tensor, output: core.Tensor, inputs: readonly core.Tensor[]) => (core.Tensor | null)[];
}

/**
 * Turns a forward function and its hand-written gradient into an op over Vars. The gradient is
 * computed on tensors, so a custom op is differentiable once (not through its own gradient).
 */
export function customOp(definition: CustomOpDefinition): (...inputs: VarLike[]) => Var {
  const { name, forward, backward } = definition;
  return (...inputs) => {
    const xs = toVars(...inputs);
    const values = xs.map((x) => x.value);
    return record(name, forward(...values), xs, (g, y) => {
      const grads = backward(g.value, y.value, values);
      return xs.map((x, i) => {
        const gi = grads[i];
        if (!gi) return null;
        if (!core.sameShape(gi.shape, x.shape)) {
          throw new core.ShapeError(`${name}: backward returned a gradient of shape ${core.formatShape(gi.shape)} for input ${i} of shape ${core.formatShape(x.shape)}`);
        }
        return toVars(gi)[0]!;
      });
    });
  };
}
