import {
  DTypeError,
  DataFormatError,
  type EncodedArray,
  type FloatArray,
  ShapeError,
  type Tensor,
  ValueError,
  decodeArray,
  dtypeOf,
  encodeArray,
  formatShape,
  persistent,
  sameShape,
} from "@slope/core";
import { allocate } from "@slope/core/internal";

/**
 * What an optimizer steps: anything with a value tensor and a gradient (null when there is none
 * yet). An autograd `Var` is one; so is a plain `{ value, grad }`.
 */
export interface Parameter {
  /** The tensor the optimizer updates in place. */
  readonly value: Tensor;
  /** ∂loss/∂value from the last backward pass, or null when there is none (the parameter is skipped). */
  grad: Tensor | null;
}

/** Hyperparameters: named numbers, switches and choices (such as L-BFGS's lineSearchFn). */
export type Hyperparameters = Record<string, number | boolean | string>;

/** A set of parameters with hyperparameters of its own (PyTorch's parameter groups). */
export type ParamGroup<O extends Hyperparameters> = {
  /** The group's parameters; the other keys are the group's own hyperparameters. */
  params: readonly Parameter[];
} & Partial<O>;

/** How an option is checked: its default (undefined: required) and the range it must lie in. */
export interface OptionSpec {
  /** The value when the option is not given; undefined makes the option required. */
  default?: number | boolean | string;
  /** The values allowed: > 0, ≥ 0, [0, 1), a boolean, any finite number, or one of `choices`. */
  range: "positive" | "nonNegative" | "unitInterval" | "boolean" | "any" | "choice";
  /** The values a "choice" option may take. */
  choices?: readonly string[];
}

/** The `maximize` option every optimizer has (PyTorch's): step along +∇ (gradient ascent) instead of −∇. */
export const maximizeSpec: OptionSpec = { default: false, range: "boolean" };

/**
 * A named state buffer, for checking a loaded state: `always` buffers exist after a parameter's first step
 * (a saved state without one is corrupt); the others depend on options (amsgrad, momentum > 0, ...).
 * `scalar` buffers hold one value per parameter (ASGD's η and μ), the others one per element.
 */
export interface BufferSpec {
  /** Whether the buffer exists after every parameter's first step, whatever the options. */
  always: boolean;
  /** Whether it holds one value per parameter instead of one per element. */
  scalar?: boolean;
}

const rangeText: Record<OptionSpec["range"], string> = {
  positive: "a number > 0",
  nonNegative: "a number ≥ 0",
  unitInterval: "a number in [0, 1)",
  boolean: "true or false",
  any: "a finite number",
  choice: "one of",
};

const isCount = (n: unknown): n is number => typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function describeRange(spec: OptionSpec): string {
  if (spec.range !== "choice") return rangeText[spec.range];
  return `one of ${(spec.choices ?? []).map((c) => JSON.stringify(c)).join(", ")}`;
}

function inRange(value: unknown, spec: OptionSpec): boolean {
  const range = spec.range;
  if (range === "choice") return typeof value === "string" && (spec.choices ?? []).includes(value);
  if (range === "boolean") return typeof value === "boolean";
  if (typeof value !== "number" || !Number.isFinite(value)) return false;
  if (range === "positive") return value > 0;
  if (range === "nonNegative") return value >= 0;
  if (range === "unitInterval") return value >= 0 && value < 1;
  return true;
}

/** Per-parameter state: how many updates it has had, and its named buffers (velocity, cache, …). */
export interface ParameterState {
  /** How many updates this parameter has had (t in Adam's bias correction 1 − β1ᵗ). */
  step: number;
  /** The optimizer's per-parameter buffers by name (velocity, cache, m, v, …), each like the parameter's data. */
  buffers: Record<string, FloatArray>;
}

/** The JSON form of an optimizer's state: every buffer's bits, the step counts and the hyperparameters. */
export interface OptimizerStateDict {
  /** The optimizer's name ("Adam", …); loading into another optimizer is refused. */
  optimizer: string;
  /** How many times `step()` had run. */
  iterations: number;
  /** Each parameter group's hyperparameters and its parameters, by index in the order given. */
  groups: {
    /** The group's hyperparameters. */
    options: Hyperparameters;
    /** The indices of the group's parameters, counted across all groups. */
    params: number[];
  }[];
  /** The state of each parameter that has had a step. */
  state: {
    /** The parameter's index, counted across all groups. */
    param: number;
    /** The parameter's shape, checked on loading. */
    shape: number[];
    /** How many updates it has had. */
    step: number;
    /** Its buffers by name, encoded bit-exactly (base64). */
    buffers: Record<string, EncodedArray>;
  }[];
  /** State that is not per parameter (L-BFGS's curvature history). */
  extra?: Record<string, unknown>;
}

/**
 * The shape every optimizer shares (PyTorch's torch.optim.Optimizer): the constructor validates
 * and stores hyperparameters per group, `step()` walks the parameters with a gradient and calls the
 * subclass's in-place `update`, `zeroGrad()` clears gradients, and the state round-trips through JSON.
 * Every optimizer has `maximize` (PyTorch's): its update functions read the gradient as `sign·dx`, with
 * sign = −1 when maximizing, so gradient ascent costs no copy of dx.
 */
export abstract class Optimizer<O extends Hyperparameters = Hyperparameters> {
  /** The parameter groups, each with its own full set of hyperparameters (the defaults filled in). */
  readonly paramGroups: {
    /** The group's parameters. */
    params: readonly Parameter[];
    /** The group's hyperparameters, its own or the optimizer's defaults. */
    options: O;
  }[];
  /** How many times `step()` has run. */
  iterations = 0;
  /** Each parameter's step count and buffers, made on its first update. */
  protected readonly state = new Map<Parameter, ParameterState>();

  constructor(
    /** The optimizer's name, in error messages and in the state dict ("Adam", …). */
    readonly name: string,
    private readonly specs: Record<keyof O & string, OptionSpec>,
    params: readonly Parameter[] | readonly ParamGroup<O>[],
    options: Partial<O> = {},
    /** The state buffers `update` may create, by name (what `loadStateDict` accepts). */
    private readonly bufferSpecs: Record<string, BufferSpec> = {},
  ) {
    if (!Array.isArray(params) || params.length === 0) {
      throw new ValueError(
        `${name}: expected a non-empty array of parameters ({ value, grad }) or of groups ({ params, ...options })`,
      );
    }
    const defaults = this.validate(options, {} as Partial<O>, true);
    const isGroup = (p: unknown) => typeof p === "object" && p !== null && "params" in p;
    const groups = (params as readonly unknown[]).every(isGroup)
      ? (params as readonly ParamGroup<O>[])
      : [{ params: params as readonly Parameter[] } as ParamGroup<O>];
    const seen = new Set<Parameter>();
    this.paramGroups = groups.map((group, g) => {
      const { params: groupParams, ...groupOptions } = group;
      if (!Array.isArray(groupParams) || groupParams.length === 0) {
        throw new ValueError(`${name}: group ${g}'s params must be a non-empty array of { value, grad }`);
      }
      groupParams.forEach((p, i) => {
        const data = p?.value?.data;
        if (!p || typeof p !== "object" || !(data instanceof Float32Array || data instanceof Float64Array)) {
          throw new ValueError(`${name}: parameter ${i} of group ${g} is not a { value: Tensor, grad } object`);
        }
        if (seen.has(p)) throw new ValueError(`${name}: parameter ${i} of group ${g} appears twice`);
        seen.add(p);
      });
      const merged = this.validate(groupOptions as unknown as Partial<O>, defaults, false) as O;
      return { params: groupParams, options: merged };
    });
  }

  /** Merges `options` over `base`, refusing unknown names and out-of-range values. */
  private validate(options: Partial<O>, base: Partial<O>, allowMissing: boolean, useDefaults = true): Partial<O> {
    if (!isObject(options)) throw new ValueError(`${this.name}: options must be an object, got ${String(options)}`);
    for (const key of Object.keys(options)) this.specOf(key);
    const merged: Record<string, number | boolean | string | undefined> = {};
    for (const [key, spec] of Object.entries(this.specs) as [string, OptionSpec][]) {
      const value =
        (options as Record<string, unknown>)[key] ??
        (base as Record<string, unknown>)[key] ??
        (useDefaults ? spec.default : undefined);
      if (value === undefined) {
        if (allowMissing) continue;
        throw new ValueError(`${this.name}: option "${key}" is required (${describeRange(spec)})`);
      }
      merged[key] = this.checked(key, spec, value);
    }
    this.checkOptions(merged as Partial<O>);
    return merged as Partial<O>;
  }

  /** Checks that involve several options at once (Rprop's η₋ < 1 < η₊, ...); throws a ValueError. */
  protected checkOptions(_options: Partial<O>): void {}

  /** The spec of option `key`, or a ValueError listing the options there are. */
  private specOf(key: string): OptionSpec {
    const spec = Object.hasOwn(this.specs, key) ? (this.specs as Record<string, OptionSpec>)[key] : undefined;
    if (!spec) {
      const known = Object.keys(this.specs).join(", ");
      throw new ValueError(`${this.name}: unknown option "${key}"; valid options are ${known}`);
    }
    return spec;
  }

  /** `value` if it lies in the option's range, else a ValueError saying what the range is. */
  private checked(key: string, spec: OptionSpec, value: unknown): number | boolean | string {
    if (!inRange(value, spec)) {
      throw new ValueError(`${this.name}: ${key} must be ${describeRange(spec)}, got ${String(value)}`);
    }
    return value as number | boolean | string;
  }

  /** The learning rate of the first group; setting it sets every group's. */
  get lr(): number {
    return this.paramGroups[0]!.options.lr as number;
  }

  /** Sets the learning rate of every group, checked against its allowed range. */
  set lr(value: number) {
    this.setOption("lr", value);
  }

  /** Sets a hyperparameter in every group (what a scheduler does), checking its range. */
  setOption(key: keyof O & string, value: number | boolean | string): void {
    const checked = this.checked(key, this.specOf(key), value);
    for (const group of this.paramGroups) {
      this.checkOptions({ ...group.options, [key]: checked });
      (group.options as Record<string, number | boolean | string>)[key] = checked;
    }
  }

  /** Every parameter, in group order. */
  get params(): Parameter[] {
    return this.paramGroups.flatMap((g) => [...g.params]);
  }

  /** Throws unless `grad`, `p`'s gradient, has its parameter's shape and dtype. */
  protected checkGradient(p: Parameter, grad: Tensor): void {
    if (!(grad.data instanceof Float32Array || grad.data instanceof Float64Array) || !Array.isArray(grad.shape)) {
      throw new ValueError(`${this.name}: a parameter's grad must be a Tensor or null, got ${String(grad)}`);
    }
    if (!sameShape(grad.shape, p.value.shape) || grad.dtype !== p.value.dtype) {
      const Err = grad.dtype !== p.value.dtype ? DTypeError : ShapeError;
      throw new Err(
        `${this.name}: a gradient of ${formatShape(grad.shape)} ${grad.dtype} for a parameter of ` +
          `${formatShape(p.value.shape)} ${p.value.dtype}`,
      );
    }
  }

  /** One update of every parameter that has a gradient; parameters whose grad is null are skipped. */
  step(): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) if (p.grad !== null && p.grad !== undefined) this.checkGradient(p, p.grad);
    }
    this.iterations++;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (p.grad === null || p.grad === undefined) continue;
        const state = this.stateOf(p);
        state.step++;
        this.update(p.value.data, p.grad.data, state, group.options);
      }
    }
  }

  /** Updates x in place from its gradient dx: the optimizer's rule, one fused loop. */
  protected abstract update(x: FloatArray, dx: FloatArray, state: ParameterState, options: O): void;

  /** The state of `p`, created (step 0, no buffers) on first use. */
  protected stateOf(p: Parameter): ParameterState {
    let state = this.state.get(p);
    if (!state) {
      state = { step: 0, buffers: {} };
      this.state.set(p, state);
    }
    return state;
  }

  /** A named buffer of the parameter's state: `initial` (0 unless said), x's dtype and size (1 if scalar). */
  protected buffer(state: ParameterState, name: string, like: FloatArray, initial = 0): FloatArray {
    let b = state.buffers[name];
    if (!b) {
      const length = this.bufferSpecs[name]?.scalar ? 1 : like.length;
      // State outlives the step that first needs it, even one whose buffers are reused.
      b = persistent(() => allocate(dtypeOf(like), length));
      if (initial !== 0) b.fill(initial);
      state.buffers[name] = b;
    }
    return b;
  }

  /** Sets every parameter's gradient to null (the next backward writes a fresh one). */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /** The full state as plain JSON; `JSON.parse(JSON.stringify(...))` of it loads back bit for bit. */
  stateDict(): OptimizerStateDict {
    const params = this.params;
    const index = new Map(params.map((p, i) => [p, i]));
    let offset = 0;
    const groups = this.paramGroups.map((g) => {
      const ids = g.params.map((_, i) => offset + i);
      offset += g.params.length;
      return { options: { ...g.options }, params: ids };
    });
    const state = [...this.state.entries()].map(([p, s]) => ({
      param: index.get(p)!,
      shape: [...p.value.shape],
      step: s.step,
      buffers: Object.fromEntries(Object.entries(s.buffers).map(([k, v]) => [k, encodeArray(v)])),
    }));
    return { optimizer: this.name, iterations: this.iterations, groups, state };
  }

  /**
   * Restores a state saved by `stateDict` into an optimizer over the same parameters. The whole state is
   * checked first (the optimizer's name, every group's options — none missing, none unknown, each in range —,
   * step counts, each buffer's name, dtype, length and bytes, the parameters' shapes, `extra`), and only then
   * is anything changed: a refused state leaves the optimizer as it was.
   */
  loadStateDict(dict: OptimizerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    if (!isObject(dict)) throw new DataFormatError(`${where}: expected a state object, got ${String(dict)}`);
    if (dict.optimizer !== this.name) {
      throw new ValueError(`${where}: the state was saved by ${String(dict.optimizer ?? "nothing")}, not ${this.name}`);
    }
    if (!isCount(dict.iterations)) {
      throw new DataFormatError(`${where}: iterations must be an integer ≥ 0, got ${String(dict.iterations)}`);
    }
    if (!Array.isArray(dict.groups) || !Array.isArray(dict.state)) {
      throw new DataFormatError(`${where}: the state needs "groups" and "state" arrays`);
    }
    const params = this.params;
    let offset = 0;
    const optionsPerGroup = dict.groups.map((g, i) => {
      if (!isObject(g) || !isObject(g.options) || !Array.isArray(g.params)) {
        throw new DataFormatError(`${where}: group ${i} must be { options, params }`);
      }
      const mine = this.paramGroups[i];
      const ids = mine?.params.map((_, k) => offset + k) ?? [];
      offset += ids.length;
      if (!mine || g.params.length !== ids.length || g.params.some((id, k) => id !== ids[k])) {
        const saved = dict.groups.reduce((n, h) => n + (Array.isArray(h?.params) ? h.params.length : 0), 0);
        throw new ValueError(
          `${where}: the state has ${dict.groups.length} groups of ${saved} parameters, ` +
            `this optimizer ${this.paramGroups.length} groups of ${params.length}`,
        );
      }
      try {
        return this.validate(g.options as Partial<O>, {} as Partial<O>, false, false) as O;
      } catch (e) {
        throw e instanceof ValueError ? new ValueError(`${where}: group ${i}: ${e.message}`) : e;
      }
    });
    if (dict.groups.length !== this.paramGroups.length) {
      throw new ValueError(
        `${where}: the state has ${dict.groups.length} groups, this optimizer ${this.paramGroups.length}`,
      );
    }
    const restored = new Map<Parameter, ParameterState>();
    dict.state.forEach((entry, n) => {
      if (!isObject(entry) || !isObject(entry.buffers) || !Array.isArray(entry.shape)) {
        throw new DataFormatError(`${where}: state entry ${n} must be { param, shape, step, buffers }`);
      }
      const p = isCount(entry.param) ? params[entry.param] : undefined;
      if (!p) throw new ValueError(`${where}: state for parameter ${String(entry.param)}, which does not exist`);
      if (restored.has(p)) throw new DataFormatError(`${where}: two state entries for parameter ${entry.param}`);
      if (!sameShape(entry.shape, p.value.shape)) {
        throw new ShapeError(
          `${where}: parameter ${entry.param} has shape ${formatShape(p.value.shape)}, ` +
            `the state was saved for ${formatShape(entry.shape)}`,
        );
      }
      if (!isCount(entry.step)) {
        throw new DataFormatError(
          `${where}: parameter ${entry.param}'s step must be an integer ≥ 0, got ${String(entry.step)}`,
        );
      }
      const buffers: Record<string, FloatArray> = {};
      for (const [name, encoded] of Object.entries(entry.buffers)) {
        const spec = Object.hasOwn(this.bufferSpecs, name) ? this.bufferSpecs[name] : undefined;
        if (!spec) {
          throw new DataFormatError(
            `${where}: parameter ${entry.param} has a buffer "${name}"; ${this.name} keeps ` +
              `${Object.keys(this.bufferSpecs).join(", ") || "none"}`,
          );
        }
        const what = `${where}: parameter ${entry.param}'s ${name}`;
        buffers[name] = this.decodeBuffer(encoded, spec.scalar ? 1 : p.value.size, p.value.dtype, what);
      }
      if (entry.step > 0) {
        for (const [name, spec] of Object.entries(this.bufferSpecs)) {
          if (spec.always && !buffers[name]) {
            throw new DataFormatError(
              `${where}: parameter ${entry.param} has taken ${entry.step} steps but has no "${name}"`,
            );
          }
        }
      }
      restored.set(p, { step: entry.step, buffers });
    });
    const applyExtra = this.checkExtra(dict.extra, where);
    this.state.clear();
    for (const [p, s] of restored) this.state.set(p, s);
    this.paramGroups.forEach((g, i) => {
      g.options = optionsPerGroup[i]!;
    });
    this.iterations = dict.iterations;
    applyExtra();
  }

  /** A saved buffer's values, after checking its dtype, its length and that its bytes hold exactly that many. */
  protected decodeBuffer(encoded: unknown, length: number, dtype: string, what: string): FloatArray {
    if (!isObject(encoded) || typeof encoded.base64 !== "string") {
      const got = JSON.stringify(encoded)?.slice(0, 80);
      throw new DataFormatError(`${what}: expected { dtype, length, base64 }, got ${got}`);
    }
    if (encoded.dtype !== dtype) {
      throw new DTypeError(`${what} is ${String(encoded.dtype)}, the parameter ${dtype}`);
    }
    if (encoded.length !== length) {
      throw new DataFormatError(`${what}: expected ${length} values, the state says ${String(encoded.length)}`);
    }
    const bytes = (dtype === "float64" ? 8 : 4) * length;
    const base64 = encoded.base64 as string;
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0 || decodedLength(base64) !== bytes) {
      throw new DataFormatError(
        `${what}: expected ${bytes} bytes of base64, got ${base64.length} characters that are not`,
      );
    }
    return decodeArray(encoded as unknown as EncodedArray);
  }

  /**
   * Checks the state that is not per parameter (`dict.extra`) and returns what installs it: called by
   * `loadStateDict` before anything changes. The base class keeps none and accepts none.
   */
  protected checkExtra(extra: unknown, where: string): () => void {
    if (extra !== undefined && !(isObject(extra) && Object.keys(extra).length === 0)) {
      throw new DataFormatError(`${where}: ${this.name} keeps no extra state, the state has some`);
    }
    return () => {};
  }
}

/** How many bytes a (well-formed, padded) base64 string decodes to. */
function decodedLength(base64: string): number {
  const padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
  return (base64.length / 4) * 3 - padding;
}
