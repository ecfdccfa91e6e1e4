import * as core from "@slope/core";
import * as internal from "@slope/core/internal";
import { GraphError } from "./backward.js";
import { type Var, type VarLike, isRecording, record, toVar, toVars } from "./var.js";

/** A user-defined node: a forward over tensors and its vector-Jacobian product, over tensors or over Vars. */
export interface CustomOpDefinition {
  /** Shown in toDot and in error messages. */
  name: string;
  /** y = forward(inputs). */
  forward: (...inputs: core.Tensor[]) => core.Tensor;
  /**
   * ∂L/∂inputs from g = ∂L/∂y, the output y and the inputs, as tensors (or null for an input that takes no
   * gradient), one per input, each of its input's shape and dtype. Check it with gradCheck. Computed on tensors, it is
   * differentiable once: differentiating the gradient again (grad(grad(f)), a Hessian-vector product) through it is a
   * GraphError — give `vjp` instead for that.
   */
  backward?: (g: core.Tensor, output: core.Tensor, inputs: readonly core.Tensor[]) => (core.Tensor | null)[];
  /**
   * The same over Vars, written with the differentiable ops (as every built-in op's is): recorded when a graph of the
   * gradient is built, so second and higher derivatives through the op are right. Give this or `backward`.
   */
  vjp?: (g: Var, output: Var, inputs: readonly Var[]) => (VarLike | null)[];
}

const KNOWN = ["name", "forward", "backward", "vjp"];

/** Throws a ValueError unless `definition` has a name, a forward and exactly one of backward and vjp. */
function checkDefinition(definition: CustomOpDefinition): void {
  const { name, forward, backward, vjp } = internal.checkOptions(definition, KNOWN, "customOp");
  if (typeof name !== "string" || name === "") {
    throw new core.ValueError(`customOp: name must be a non-empty string, got ${String(name)}`);
  }
  if (typeof forward !== "function") {
    throw new core.ValueError(`customOp ${name}: forward must be a function, got ${typeof forward}`);
  }
  if ((backward === undefined) === (vjp === undefined)) {
    throw new core.ValueError(`customOp ${name}: give exactly one of backward (over tensors) and vjp (over Vars)`);
  }
  const given = backward ?? vjp;
  if (typeof given !== "function") {
    throw new core.ValueError(`customOp ${name}: ${backward ? "backward" : "vjp"} must be a function`);
  }
}

/**
 * Checks what a backward returned: an array of one gradient per input (null for none), each of its input's shape and
 * dtype. A missing result (undefined: a function that forgot to return) is a GraphError naming the op.
 */
function checkGradients<T>(name: string, grads: unknown, inputs: readonly Var[], what: string): (T | null)[] {
  if (!Array.isArray(grads)) {
    throw new GraphError(
      `${name}: ${what} returned ${grads === null ? "null" : typeof grads}, expected an array of ` +
        `${inputs.length} gradient(s) (null for an input without one)`,
    );
  }
  if (grads.length !== inputs.length) {
    throw new GraphError(`${name}: ${what} returned ${grads.length} gradient(s) for ${inputs.length} input(s)`);
  }
  return grads.map((gi: unknown) => (gi === undefined ? null : (gi as T | null)));
}

/** Checks one gradient tensor against its input: shape and dtype. */
function checkGradient(name: string, gi: core.Tensor, x: Var, i: number): void {
  if (!core.sameShape(gi.shape, x.shape)) {
    throw new core.ShapeError(
      `${name}: backward returned a gradient of shape ${core.formatShape(gi.shape)} ` +
        `for input ${i} of shape ${core.formatShape(x.shape)}`,
    );
  }
  if (gi.dtype !== x.dtype) {
    throw new core.DTypeError(`${name}: backward returned a ${gi.dtype} gradient for input ${i}, which is ${x.dtype}`);
  }
}

/**
 * Turns a forward function and its hand-written gradient into an op over Vars: y = forward(x…) and, going back,
 * ∂L/∂xᵢ = backward(∂L/∂y, y, x…)ᵢ. With `vjp` (over Vars) the gradient is itself differentiable; with
 * `backward` (over tensors) it is differentiable once, and differentiating it again is a GraphError, not a silent 0.
 */
export function customOp(definition: CustomOpDefinition): (...inputs: VarLike[]) => Var {
  checkDefinition(definition);
  const { name, forward, backward, vjp } = definition;
  return (...inputs) => {
    const xs = toVars(...inputs);
    const values = xs.map((x) => x.value);
    const y = forward(...values);
    if (!(y instanceof core.Tensor))
      throw new core.ValueError(`${name}: forward must return a Tensor, got ${typeof y}`);
    if (vjp !== undefined) {
      return record(name, y, xs, (g, output) => {
        const grads = checkGradients<VarLike>(name, vjp(g, output, xs), xs, "vjp");
        return xs.map((x, i) => {
          const gi = grads[i];
          if (gi === null || gi === undefined) return null;
          const v = toVar(gi);
          checkGradient(name, v.value, x, i);
          return v;
        });
      });
    }
    return record(name, y, xs, (g, output) => {
      const grads = checkGradients<core.Tensor>(name, backward!(g.value, output.value, values), xs, "backward");
      const gradientOf = (gi: core.Tensor): Var => {
        // While a graph of the gradient is built, the tensor gradient becomes a node that refuses to be differentiated.
        if (!isRecording()) return toVar(gi);
        return record(`${name}.backward`, gi, [g, ...xs], () => {
          throw new GraphError(
            `${name}: its backward works on tensors, so its gradient cannot be differentiated ` +
              "again " +
              `(grad(grad(f)), a Hessian-vector product); define the custom op with vjp (over Vars) instead of backward`,
          );
        });
      };
      return xs.map((x, i) => {
        const gi = grads[i];
        if (gi === null) return null;
        if (!(gi instanceof core.Tensor)) {
          throw new core.ValueError(
            `${name}: backward returned ${typeof gi} for input ${i}, expected a Tensor or null`,
          );
        }
        checkGradient(name, gi, x, i);
        return gradientOf(gi);
      });
    });
  };
}
