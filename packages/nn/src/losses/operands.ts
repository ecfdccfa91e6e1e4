import { DTypeError, ShapeError, Tensor, ValueError, formatShape, tensor } from "@slope/core";
import { Var, type VarLike, toVar } from "@slope/autograd";

/** Turns a loss's input or target into a Var (a Tensor becomes a constant); numbers are not accepted. */
export function toOperand(x: VarLike, where: string, what: string): Var {
  if (x instanceof Var || x instanceof Tensor) return toVar(x);
  throw new ValueError(`${where}: ${what} must be a Var or a Tensor, got ${x === null ? "null" : typeof x}`);
}

/** Checks that `other` has the input's shape: these losses do not broadcast their target. */
export function checkSameShape(input: Var, other: Var, where: string, what: string): void {
  const a = input.shape;
  const b = other.shape;
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    throw new ShapeError(`${where}: ${what} must have the input's shape ${formatShape(a)}, got ${formatShape(b)}`);
  }
}

/** Checks that `other` has the input's dtype: dtypes never mix silently. */
export function checkSameDType(input: Var, other: Var, where: string, what: string): void {
  if (other.dtype !== input.dtype) {
    throw new DTypeError(`${where}: ${what} is ${other.dtype} but the input is ${input.dtype}; cast one of them`);
  }
}

/**
 * A per-class weight as a tensor of the input's dtype and shape [C]: a Tensor (its dtype must be the
 * input's) or plain numbers. Like PyTorch's `weight` of cross_entropy and nll_loss, it takes no gradient.
 */
export function classWeight(weight: Tensor | ArrayLike<number>, input: Var, classes: number, where: string): Tensor {
  let w: Tensor;
  if (weight instanceof Tensor) {
    checkSameDType(input, toVar(weight), where, "weight");
    w = weight;
  } else if (weight !== null && typeof weight === "object" && typeof weight.length === "number") {
    w = tensor(weight, { dtype: input.dtype });
  } else {
    throw new ValueError(`${where}: weight must be a Tensor or an array of ${classes} numbers, got ${typeof weight}`);
  }
  if (w.shape.length !== 1 || w.shape[0] !== classes) {
    throw new ShapeError(`${where}: weight must have shape [${classes}] (one per class), got ${formatShape(w.shape)}`);
  }
  return w;
}

/** Checks that `other` (a weight) broadcasts to the input's shape without enlarging it. */
export function checkBroadcastsTo(input: Var, other: Var, where: string, what: string): void {
  const a = input.shape;
  const b = other.shape;
  const fits = b.length <= a.length && b.every((d, i) => d === 1 || d === a[a.length - b.length + i]);
  if (!fits) {
    const shapes = `${formatShape(b)} does not broadcast to the input's shape ${formatShape(a)}`;
    throw new ShapeError(`${where}: ${what} of shape ${shapes}`);
  }
}

/** The input and target of an elementwise loss as Vars, checked to have one shape and one dtype. */
export function inputAndTarget(input: VarLike, target: VarLike, where: string): [Var, Var] {
  const x = toOperand(input, where, "input");
  const y = toOperand(target, where, "target");
  checkSameShape(x, y, where, "target");
  checkSameDType(x, y, where, "the target");
  return [x, y];
}
