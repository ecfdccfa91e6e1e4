import {
  type DType,
  type NestedArray,
  Tensor,
  ValueError,
  add,
  cast,
  clone,
  persistent,
  sameShape,
  scalar,
  tensor,
} from "@slope/core";
import { checkOptions, kernels, ownedTensor, reusingBuffers } from "@slope/core/internal";

/**
 * A node's vector-Jacobian product: given the gradient g of the final output with respect to this
 * node's value (and the node itself), return the gradient with respect to each input, or null where
 * `needsGrad` is false. Written with the differentiable ops over Vars, so that running it while
 * recording builds the graph of the gradient (which is what makes `grad(grad(f))` work).
 */
export type VectorJacobianProduct = (g: Var, output: Var, needsGrad: readonly boolean[]) => (Var | null)[];

/** What an op accepts where a Var is expected: a Var, a Tensor (a constant) or a plain number. */
export type VarLike = Var | Tensor | number;

let recording = true;

/** True while ops record the graph (outside `noGrad`). */
export function isRecording(): boolean {
  return recording;
}

/** Runs `fn` with recording on or off, restoring the previous mode afterwards (also on a throw). */
export function withRecording<T>(on: boolean, fn: () => T): T {
  const previous = recording;
  recording = on;
  try {
    return fn();
  } finally {
    recording = previous;
  }
}

/** Runs `fn` without recording any graph: every Var it makes is a constant (like torch.no_grad). */
export function noGrad<T>(fn: () => T): T {
  if (typeof fn !== "function")
    throw new ValueError(`noGrad: expected a function, got ${fn === null ? "null" : typeof fn}`);
  return withRecording(false, fn);
}

let nextId = 0;

/**
 * A node of the computation graph: a value, the op that made it, its inputs, and — for leaves that
 * require it — the gradient that `backward` accumulates. Ops on Vars are also methods, so that models
 * read left to right (`x.matmul(W).add(b).relu()`), and so is `backward()`: each is installed from its
 * own side by a file of methods/ (as TensorFlow.js installs its chained ops), which keeps this module
 * a leaf that imports no op. Importing the package installs them all.
 */
export class Var {
  /** The value computed by the forward pass. */
  readonly value: Tensor;
  /** The accumulated ∂(output)/∂(this) of every `backward` so far (leaves only), or null. */
  grad: Tensor | null = null;
  /** Whether gradients flow to this node. */
  readonly requiresGrad: boolean;
  /** The op that produced this node ("param", "constant", "add", "svmLoss", …). */
  readonly op: string;
  /** The nodes this one was computed from (empty for leaves and once the graph is freed). */
  inputs: readonly Var[];
  /** A unique, increasing id (creation order), used by graph export. */
  readonly id: number;
  /** Extra attributes an op records for display (axis, delta, …). */
  readonly attributes: Readonly<Record<string, unknown>>;
  /** The op's vector-Jacobian product; null for leaves and once freed. @internal */
  vjp: VectorJacobianProduct | null;
  /** Set when `backward` has released this node's saved tensors. @internal */
  freed = false;
  /** The gradient storage this leaf keeps across the calls of a reused step (see `accumulateGrad`). */
  private keptGrad: Tensor | null = null;

  constructor(
    value: Tensor,
    options: {
      op?: string;
      inputs?: readonly Var[];
      vjp?: VectorJacobianProduct | null;
      requiresGrad?: boolean;
      attributes?: Record<string, unknown>;
    } = {},
  ) {
    if (!(value instanceof Tensor)) throw new ValueError(`Var: value must be a Tensor, got ${typeof value}`);
    this.value = value;
    this.op = options.op ?? "constant";
    this.inputs = options.inputs ?? [];
    this.vjp = options.vjp ?? null;
    this.requiresGrad = options.requiresGrad ?? false;
    this.attributes = options.attributes ?? {};
    this.id = nextId++;
  }

  /** The value's shape. */
  get shape(): readonly number[] {
    return this.value.shape;
  }

  /** The value's dtype. */
  get dtype(): DType {
    return this.value.dtype;
  }

  /** The value's number of elements. */
  get size(): number {
    return this.value.size;
  }

  /**
   * grad ← grad + g (g when grad is null), what `backward` does for each leaf. Inside a
   * `reuseBuffers` step the sum goes into storage this leaf keeps across calls, made once outside
   * the step's scratch and then written in place, so that no call overwrites another's gradient.
   * @internal
   */
  accumulateGrad(g: Tensor): void {
    if (!reusingBuffers()) {
      this.grad = this.grad === null ? clone(g) : add(this.grad, g);
      return;
    }
    const kept = this.keptGrad;
    const fits = kept !== null && kept.dtype === g.dtype && sameShape(kept.shape, g.shape);
    if (this.grad === null && fits) {
      kept.data.set(g.data);
      this.grad = kept;
    } else if (this.grad !== null && this.grad === kept && fits) {
      kernels().axpy(kept.data, 1, g.data); // grad + 1·g in place: the bits of add(grad, g)
    } else {
      const previous = this.grad;
      this.grad = this.keptGrad = persistent(() => (previous === null ? clone(g) : add(previous, g)));
    }
  }

  /** True for parameters and constants: nodes no op produced. */
  get isLeaf(): boolean {
    return this.vjp === null && this.inputs.length === 0 && !this.freed;
  }

  /** The value of a one-element Var as a number. */
  item(): number {
    return this.value.item();
  }

  /** The value as nested arrays. */
  toArray(): NestedArray {
    return this.value.toArray();
  }

  /** Clears the accumulated gradient. */
  zeroGrad(): void {
    this.grad = null;
  }

  /** The same value as a constant, cut off from the graph (no gradient flows through it). */
  detach(): Var {
    return new Var(this.value, { op: "detach" });
  }

  /** The op, whether it requires a gradient, and the value, for printing. */
  toString(): string {
    return `Var(${this.op}, requiresGrad=${this.requiresGrad}) ${this.value.toString()}`;
  }
}

/** The names of Var's methods. */
type MethodName = { [K in keyof Var]: Var[K] extends (...args: never[]) => unknown ? K : never }[keyof Var];

/** Var's method `K` as a function of its receiver. */
type Method<K extends MethodName> = Var[K] extends (...args: infer A) => infer R ? (this: Var, ...args: A) => R : never;

/**
 * Installs `method` as Var's method `name`, as the class body would declare it (writable, not
 * enumerable). Each file of methods/ calls it for one op, after declaring the method's type on Var. @internal
 */
export function installMethod<K extends MethodName>(name: K, method: Method<K>): void {
  Object.defineProperty(Var.prototype, name, { value: method, writable: true, enumerable: false, configurable: true });
}

/**
 * A leaf that collects a gradient: a model's parameter. A float32 value is kept in the kernel memory, where the
 * kernels and the threads read and update it in place: when `t` lives elsewhere (the JavaScript heap) the parameter
 * holds a copy of it, so train and read the parameter (`W.value`), not `t`.
 */
export function param(t: Tensor | NestedArray, options: { dtype?: DType } = {}): Var {
  checkOptions(options, ["dtype"], "param");
  const value = t instanceof Tensor ? t : tensor(t, options);
  return new Var(ownedTensor(value), { op: "param", requiresGrad: true });
}

/** A leaf that does not collect a gradient: data, labels, hyperparameters. */
export function constant(t: Tensor | NestedArray, options: { dtype?: DType } = {}): Var {
  checkOptions(options, ["dtype"], "constant");
  const value = t instanceof Tensor ? t : tensor(t, options);
  return new Var(value, { op: "constant" });
}

/**
 * While set (only by `gradCheck`, around a float32 function it re-evaluates in float64), every float32 Tensor that
 * becomes a constant of a graph, and every number, is made float64: the function's constants follow its promoted
 * inputs. @internal
 */
let promoting = false;

/** Runs `fn` with float32 constants promoted to float64 (see `promoting`). @internal */
export function withFloat64Constants<T>(fn: () => T): T {
  const previous = promoting;
  promoting = true;
  try {
    return fn();
  } finally {
    promoting = previous;
  }
}

/** Turns a VarLike into a Var; a number becomes a constant scalar of `dtype`. */
export function toVar(x: VarLike, dtype?: DType): Var {
  if (x instanceof Var) return x;
  if (x instanceof Tensor) {
    return new Var(promoting && x.dtype === "float32" ? cast(x, "float64") : x, { op: "constant" });
  }
  if (typeof x === "number" && promoting) return new Var(scalar(x, "float64"), { op: "constant" });
  if (typeof x === "number") return new Var(scalar(x, dtype), { op: "constant" });
  throw new ValueError(`expected a Var, a Tensor or a number, got ${x === null ? "null" : typeof x}`);
}

/** Converts operands together: numbers take the dtype of the first Var or Tensor among them. */
export function toVars(...xs: VarLike[]): Var[] {
  const dtype = xs.find((x): x is Var | Tensor => typeof x !== "number")?.dtype;
  return xs.map((x) => toVar(x, dtype));
}

/**
 * Makes the output node of an op. While recording, and if any input requires a gradient, the node
 * keeps its inputs and its vector-Jacobian product; otherwise it is a constant and holds on to nothing.
 */
export function record(
  op: string,
  value: Tensor,
  inputs: readonly Var[],
  vjp: VectorJacobianProduct,
  attributes?: Record<string, unknown>,
): Var {
  const requiresGrad = recording && inputs.some((x) => x.requiresGrad);
  if (!requiresGrad) return new Var(value, { op, attributes });
  return new Var(value, { op, inputs, vjp, requiresGrad: true, attributes });
}
