import { type DType, Tensor, ValueError, cast, formatShape, sameShape } from "@slope/core";
import * as internal from "@slope/core/internal";
import { Var } from "@slope/autograd";
import { StateDictError } from "./errors.js";

/** Options of `registerBuffer`. */
export interface BufferOptions {
  /** Whether `stateDict()` saves the buffer (default true), like PyTorch's `persistent`. */
  persistent?: boolean;
}

/** Options of `loadStateDict`. */
export interface LoadStateDictOptions {
  /** Whether missing and unexpected keys are errors (default true). Shape mismatches always are. */
  strict?: boolean;
}

/** What `loadStateDict` returns (both lists are empty after a strict load). */
export interface LoadStateDictResult {
  /** The model's parameters and buffers the state dict did not have. */
  missingKeys: string[];
  /** The state dict's keys the model has no parameter or buffer for. */
  unexpectedKeys: string[];
}

interface Buffer {
  tensor: Tensor | null;
  persistent: boolean;
}

/** A parameter is a Var made with `param(...)`: a leaf whose op is "param". */
function isParameter(value: unknown): value is Var {
  return value instanceof Var && value.op === "param";
}

/**
 * The base class of every layer and model, as PyTorch's `nn.Module`.
 *
 * The rule: a subclass registers a parameter or a submodule by assigning it to a field
 * (`this.weight = param(...)`, `this.fc = new Linear(4, 2)`). Modules find them by walking their own
 * enumerable fields in insertion order (`Object.keys`, which also puts integer-like names such as
 * Sequential's "0", "1", ... first, in numeric order), so names and order are PyTorch's:
 * `namedParameters()` gives each module's own parameters, then its children's, depth first, with
 * dotted names ("features.0.weight"). A field holding null (a layer without bias) registers nothing.
 * Tensors saved with the model but not trained (BatchNorm's running statistics) are buffers, made
 * with `registerBuffer(name, tensor)` and readable as properties under that name.
 *
 * `forward` does the computation. Calling it through the module also tells where an error came
 * from: an error thrown inside a nested module's forward has the module's path appended to its
 * message, as in "Conv2d: expected 3 input channels, got 4 (features.0: Conv2d)".
 */
export abstract class Module {
  /** Training mode (true) or evaluation mode (false): Dropout and BatchNorm behave differently. */
  training = true;
  readonly #buffers = new Map<string, Buffer>();

  constructor() {
    // Route calls of `forward` through `callForward`, like PyTorch's `__call__`, so errors get the module path.
    const forward = this.forward;
    Object.defineProperty(this, "forward", {
      value: (...inputs: unknown[]) => callForward(this, forward, inputs),
      enumerable: false,
      writable: true,
      configurable: true,
    });
  }

  /** The computation of this module. */
  abstract forward(...inputs: unknown[]): Var;

  /** The text between the parentheses of this module's repr (its options), like PyTorch's `extra_repr`. */
  extraRepr(): string {
    return "";
  }

  /**
   * Adds a tensor saved and loaded with the module but not trained, under `name` (PyTorch's key,
   * such as "running_mean"); it is readable and assignable as `module[name]`. A null buffer is
   * registered but neither listed nor saved. A non-persistent buffer is listed by `namedBuffers()`
   * but left out of `stateDict()`.
   */
  registerBuffer(name: string, tensor: Tensor | null, options: BufferOptions = {}): void {
    if (typeof name !== "string" || name === "" || name.includes(".")) {
      throw new ValueError(
        `registerBuffer: a buffer name must be a non-empty string without ".", got "${String(name)}"`,
      );
    }
    if (tensor !== null && !(tensor instanceof Tensor)) {
      throw new ValueError(`registerBuffer: buffer "${name}" must be a Tensor or null, got ${describe(tensor)}`);
    }
    const own = Object.getOwnPropertyDescriptor(this, name);
    if (own !== undefined && !this.#buffers.has(name)) {
      if (own.value !== undefined) {
        throw new ValueError(`registerBuffer: ${this.constructor.name} already has a field "${name}"`);
      }
      delete (this as Record<string, unknown>)[name];
    }
    this.#buffers.set(name, { tensor, persistent: options.persistent ?? true });
    const buffers = this.#buffers;
    Object.defineProperty(this, name, {
      get: () => buffers.get(name)!.tensor,
      set: (value: unknown) => {
        if (value !== null && !(value instanceof Tensor)) {
          const where = `${this.constructor.name}.${name}`;
          throw new ValueError(`${where}: a buffer must be a Tensor or null, got ${describe(value)}`);
        }
        buffers.get(name)!.tensor = value;
      },
      enumerable: false,
      configurable: true,
    });
  }

  /** This module's own parameters (not its children's), in field order. */
  private ownParameters(): [string, Var][] {
    const out: [string, Var][] = [];
    for (const key of Object.keys(this)) {
      const value = (this as Record<string, unknown>)[key];
      if (isParameter(value)) out.push([key, value]);
    }
    return out;
  }

  /** This module's direct submodules in field order, shared ones once per field (as PyTorch's `_modules`). */
  private ownModules(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const key of Object.keys(this)) {
      const value = (this as Record<string, unknown>)[key];
      if (value instanceof Module) out.push([key, value]);
    }
    return out;
  }

  /** This module's own non-null buffers in registration order. */
  private ownBuffers(): [string, Tensor, boolean][] {
    const out: [string, Tensor, boolean][] = [];
    for (const [name, { tensor, persistent }] of this.#buffers)
      if (tensor !== null) out.push([name, tensor, persistent]);
    return out;
  }

  /** The direct submodules with their field names; a module held by two fields is listed once. */
  namedChildren(): [string, Module][] {
    const seen = new Set<Module>();
    return this.ownModules().filter(([, m]) => {
      if (seen.has(m)) return false;
      seen.add(m);
      return true;
    });
  }

  /** The direct submodules. */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module ("") and every submodule, depth first with dotted names; each module once. */
  namedModules(): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const visit = (module: Module, prefix: string) => {
      if (seen.has(module)) return;
      seen.add(module);
      out.push([prefix, module]);
      for (const [name, child] of module.ownModules()) visit(child, prefix === "" ? name : `${prefix}.${name}`);
    };
    visit(this, "");
    return out;
  }

  /** This module and every submodule, depth first. */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * Every parameter with its dotted name: each module's own parameters in field order, modules in
   * `namedModules()` order. A parameter shared by two fields appears once, under its first name.
   */
  namedParameters(): [string, Var][] {
    const out: [string, Var][] = [];
    const seen = new Set<Var>();
    for (const [prefix, module] of this.namedModules()) {
      for (const [name, p] of module.ownParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([prefix === "" ? name : `${prefix}.${name}`, p]);
      }
    }
    return out;
  }

  /** Every parameter, each once: what an optimizer takes. */
  parameters(): Var[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** The number of trainable numbers: the sum of the parameters' sizes (shared ones counted once). */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** Every non-null buffer (persistent or not) with its dotted name, each once. */
  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [prefix, module] of this.namedModules()) {
      for (const [name, t] of module.ownBuffers()) {
        if (seen.has(t)) continue;
        seen.add(t);
        out.push([prefix === "" ? name : `${prefix}.${name}`, t]);
      }
    }
    return out;
  }

  /** Calls `fn` on every submodule (children first, recursively) and then on this one; returns this. */
  apply(fn: (module: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /** Sets every parameter's gradient to null (PyTorch's `zero_grad(set_to_none=True)`). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  /** Sets training mode (or evaluation mode with `false`) on this module and every submodule; returns this. */
  train(mode = true): this {
    for (const module of this.modules()) module.training = mode;
    return this;
  }

  /** Evaluation mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /**
   * The model's state by dotted key, in PyTorch's order and with PyTorch's keys: for each module its
   * parameters, then its persistent buffers, then its children's. The tensors are the model's own
   * (not copies, as in PyTorch): clone them to keep a snapshot while training goes on.
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    const visit = (module: Module, prefix: string) => {
      for (const [name, p] of module.ownParameters()) out[prefix + name] = p.value;
      for (const [name, t, persistent] of module.ownBuffers()) if (persistent) out[prefix + name] = t;
      for (const [name, child] of module.ownModules()) visit(child, `${prefix}${name}.`);
    };
    visit(this, "");
    return out;
  }

  /** Where each state-dict key lives: the tensor and the type of the module that owns it. */
  private stateTargets(): Map<string, { tensor: Tensor; owner: string }> {
    const out = new Map<string, { tensor: Tensor; owner: string }>();
    const visit = (module: Module, prefix: string) => {
      const owner = module.constructor.name;
      for (const [name, p] of module.ownParameters()) out.set(prefix + name, { tensor: p.value, owner });
      for (const [name, t, persistent] of module.ownBuffers())
        if (persistent) out.set(prefix + name, { tensor: t, owner });
      for (const [name, child] of module.ownModules()) visit(child, `${prefix}${name}.`);
    };
    visit(this, "");
    return out;
  }

  /**
   * Copies `dict`'s tensors into this model's parameters and buffers, in place, converting each
   * to the dtype of the tensor it replaces. Everything is checked first — missing and unexpected
   * keys (errors when `strict`, the default), shapes (always errors) and that each value is a
   * Tensor — and a `StateDictError` listing every problem is thrown before anything is written, so
   * a failed load changes nothing. Returns the missing and unexpected keys (empty when strict).
   */
  loadStateDict(dict: Record<string, Tensor>, options: LoadStateDictOptions = {}): LoadStateDictResult {
    const strict = options.strict ?? true;
    if (dict === null || typeof dict !== "object") {
      throw new StateDictError(
        `loadStateDict for ${this.constructor.name}: expected an object of named tensors, got ${describe(dict)}`,
      );
    }
    const targets = this.stateTargets();
    const missingKeys = [...targets.keys()].filter((key) => !Object.hasOwn(dict, key));
    const unexpectedKeys = Object.keys(dict).filter((key) => !targets.has(key));
    const problems: string[] = [];
    if (strict && missingKeys.length > 0) problems.push(`missing key(s): ${missingKeys.map(quote).join(", ")}`);
    if (strict && unexpectedKeys.length > 0)
      problems.push(`unexpected key(s): ${unexpectedKeys.map(quote).join(", ")}`);
    for (const [key, { tensor, owner }] of targets) {
      if (!Object.hasOwn(dict, key)) continue;
      const value: unknown = dict[key];
      if (!(value instanceof Tensor)) {
        const expected = `a Tensor of shape ${formatShape(tensor.shape)}`;
        problems.push(`"${key}" (${owner}): expected ${expected}, got ${describe(value)}`);
      } else if (!sameShape(value.shape, tensor.shape)) {
        problems.push(
          `size mismatch for "${key}" (${owner}): the model's shape is ${formatShape(tensor.shape)}, ` +
            `the state dict's is ${formatShape(value.shape)}`,
        );
      }
    }
    if (problems.length > 0) {
      throw new StateDictError(`loadStateDict for ${this.constructor.name}: ${problems.join("; ")}`);
    }
    for (const [key, { tensor }] of targets) {
      const value = Object.hasOwn(dict, key) ? dict[key] : undefined;
      if (value !== undefined) tensor.data.set(value.data); // typed-array set converts float64 ↔ float32
    }
    return { missingKeys, unexpectedKeys };
  }

  /**
   * Converts every parameter and buffer to `dtype`; returns this. A parameter is replaced by a new
   * `param` Var of the new dtype (its gradient converted too; a parameter shared by two fields stays
   * shared), so an optimizer made before `to` still holds the old Vars: make optimizers after `to`.
   */
  to(dtype: DType): this {
    if (dtype !== "float32" && dtype !== "float64") {
      throw new ValueError(`to: dtype must be "float32" or "float64", got ${String(dtype)}`);
    }
    const converted = new Map<Var, Var>();
    for (const module of this.modules()) {
      const fields = module as unknown as Record<string, unknown>;
      for (const [name, p] of module.ownParameters()) {
        if (p.dtype === dtype) continue;
        let q = converted.get(p);
        if (q === undefined) {
          q = new Var(internal.ownedTensor(cast(p.value, dtype)), { op: "param", requiresGrad: p.requiresGrad });
          q.grad = p.grad === null ? null : cast(p.grad, dtype);
          converted.set(p, q);
        }
        fields[name] = q;
      }
      for (const buffer of module.#buffers.values()) {
        if (buffer.tensor !== null && buffer.tensor.dtype !== dtype) buffer.tensor = cast(buffer.tensor, dtype);
      }
    }
    return this;
  }

  /** PyTorch's module repr: the class name, `extraRepr()`, and each child on its own indented line. */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra === "" ? [] : extra.split("\n");
    const childLines = this.ownModules().map(
      ([name, child]) => `(${name}): ${child.toString().split("\n").join("\n  ")}`,
    );
    const lines = [...extraLines, ...childLines];
    let text = `${this.constructor.name}(`;
    if (extraLines.length === 1 && childLines.length === 0) text += extraLines[0];
    else if (lines.length > 0) text += `\n  ${lines.join("\n  ")}\n`;
    return `${text})`;
  }
}

let forwardDepth = 0;
const modulesOfError = new WeakMap<object, Module[]>();

/**
 * Runs a module's forward. An error thrown inside collects the modules it passed through; the
 * outermost forward call appends the innermost module's dotted path within itself to the message.
 */
function callForward(module: Module, forward: (...inputs: unknown[]) => Var, inputs: unknown[]): Var {
  forwardDepth++;
  try {
    return forward.apply(module, inputs);
  } catch (error) {
    if (error instanceof Error) {
      const chain = modulesOfError.get(error) ?? [];
      chain.push(module);
      modulesOfError.set(error, chain);
      if (forwardDepth === 1) {
        const innermost = chain[0]!;
        const path = module.namedModules().find(([, m]) => m === innermost)?.[0];
        if (path) error.message += ` (${path}: ${innermost.constructor.name})`;
      }
    }
    throw error;
  } finally {
    forwardDepth--;
  }
}

function quote(key: string): string {
  return `"${key}"`;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (value instanceof Var) return `a Var (use its .value)`;
  if (typeof value === "object") return (value as object).constructor?.name ?? "an object";
  return typeof value;
}
