import { DTypeError, type EncodedArray, type FloatArray, ShapeError, type Tensor, ValueError, allocate, decodeArray, dtypeOf, encodeArray, formatShape, persistent, sameShape } from "@slope/core";

/**
 * What an optimizer steps: anything with a value tensor and a gradient (null when there is none
 * yet). An autograd `Var` is one; so is a plain `{ value, grad }`.
 */
export interface Parameter {
  readonly value: Tensor;
  grad: Tensor | null;
}

/** Hyperparameters: named numbers and switches. */
export type Hyperparameters = Record<string, number | boolean>;

/** A set of parameters with hyperparameters of its own (PyTorch's parameter groups). */
export type ParamGroup<O extends Hyperparameters> = { params: readonly Parameter[] } & Partial<O>;

/** How an option is checked: its default (undefined: required) and the range it must lie in. */
export interface OptionSpec {
  default?: number | boolean;
  range: "positive" | "nonNegative" | "unitInterval" | "boolean" | "any";
}

const rangeText: Record<OptionSpec["range"], string> = {
  positive: "a number > 0",
  nonNegative: "a number ≥ 0",
  unitInterval: "a number in [0, 1)",
  boolean: "true or false",
  any: "a finite number",
};

function inRange(value: unknown, range: OptionSpec["range"]): boolean {
  if (range === "boolean") return typeof value === "boolean";
  if (typeof value !== "number" || !Number.isFinite(value)) return false;
  if (range === "positive") return value > 0;
  if (range === "nonNegative") return value >= 0;
  if (range === "unitInterval") return value >= 0 && value < 1;
  return true;
}

/** Per-parameter state: how many updates it has had, and its named buffers (velocity, cache, …). */
export interface ParameterState {
  step: number;
  buffers: Record<string, FloatArray>;
}

/** The JSON form of an optimizer's state: every buffer's bits, the step counts and the hyperparameters. */
export interface OptimizerStateDict {
  optimizer: string;
  iterations: number;
  groups: { options: Hyperparameters; params: number[] }[];
  state: { param: number; shape: number[]; step: number; buffers: Record<string, EncodedArray> }[];
  /** State that is not per parameter (L-BFGS's curvature history). */
  extra?: Record<string, unknown>;
}

/**
 * The shape every optimizer shares (PyTorch's torch.optim.Optimizer): the constructor validates
 * and stores hyperparameters per group, `step()` walks the parameters with a gradient and calls the
 * subclass's in-place `update`, `zeroGrad()` clears gradients, and the state round-trips through JSON.
 */
export abstract class Optimizer<O extends Hyperparameters = Hyperparameters> {
  readonly paramGroups: { params: readonly Parameter[]; options: O }[];
  /** How many times `step()` has run. */
  iterations = 0;
  protected readonly state = new Map<Parameter, ParameterState>();

  constructor(
    readonly name: string,
    private readonly specs: Record<keyof O & string, OptionSpec>,
    params: readonly Parameter[] | readonly ParamGroup<O>[],
    options: Partial<O> = {},
  ) {
    if (!Array.isArray(params) || params.length === 0) {
      throw new ValueError(`${name}: expected a non-empty array of parameters ({ value, grad }) or of groups ({ params, ...options })`);
    }
    const defaults = this.validate(options, {} as Partial<O>, true);
    const groups = (params as readonly (Parameter | ParamGroup<O>)[]).every((p) => "params" in p)
      ? (params as readonly ParamGroup<O>[])
      : [{ params: params as readonly Parameter[] } as ParamGroup<O>];
    const seen = new Set<Parameter>();
    this.paramGroups = groups.map((group, g) => {
      const { params: groupParams, ...groupOptions } = group;
      groupParams.forEach((p, i) => {
        if (!p || typeof p !== "object" || !p.value || !(p.value.data instanceof Float32Array || p.value.data instanceof Float64Array)) {
          throw new ValueError(`${name}: parameter ${i} of group ${g} is not a { value: Tensor, grad } object`);
        }
        if (seen.has(p)) throw new ValueError(`${name}: parameter ${i} of group ${g} appears twice`);
        seen.add(p);
      });
      return { params: groupParams, options: this.validate(groupOptions as unknown as Partial<O>, defaults, false) as O };
    });
  }

  /** Merges `options` over `base`, refusing unknown names and out-of-range values. */
  private validate(options: Partial<O>, base: Partial<O>, allowMissing: boolean): Partial<O> {
    for (const key of Object.keys(options)) this.specOf(key);
    const merged: Record<string, number | boolean | undefined> = {};
    for (const [key, spec] of Object.entries(this.specs) as [string, OptionSpec][]) {
      const value = (options as Record<string, unknown>)[key] ?? (base as Record<string, unknown>)[key] ?? spec.default;
      if (value === undefined) {
        if (allowMissing) continue;
        throw new ValueError(`${this.name}: option "${key}" is required (${rangeText[spec.range]})`);
      }
      merged[key] = this.checked(key, spec, value);
    }
    return merged as Partial<O>;
  }

  /** The spec of option `key`, or a ValueError listing the options there are. */
  private specOf(key: string): OptionSpec {
    const spec = (this.specs as Record<string, OptionSpec>)[key];
    if (!spec) throw new ValueError(`${this.name}: unknown option "${key}"; valid options are ${Object.keys(this.specs).join(", ")}`);
    return spec;
  }

  /** `value` if it lies in the option's range, else a ValueError saying what the range is. */
  private checked(key: string, spec: OptionSpec, value: unknown): number | boolean {
    if (!inRange(value, spec.range)) throw new ValueError(`${this.name}: ${key} must be ${rangeText[spec.range]}, got ${String(value)}`);
    return value as number | boolean;
  }

  /** The learning rate of the first group; setting it sets every group's. */
  get lr(): number {
    return this.paramGroups[0]!.options["lr"] as number;
  }

  set lr(value: number) {
    this.setOption("lr", value);
  }

  /** Sets a hyperparameter in every group (what a scheduler does), checking its range. */
  setOption(key: keyof O & string, value: number | boolean): void {
    const checked = this.checked(key, this.specOf(key), value);
    for (const group of this.paramGroups) (group.options as Record<string, number | boolean>)[key] = checked;
  }

  /** Every parameter, in group order. */
  get params(): Parameter[] {
    return this.paramGroups.flatMap((g) => [...g.params]);
  }

  /** One update of every parameter that has a gradient; parameters whose grad is null are skipped. */
  step(): void {
    this.iterations++;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (p.grad === null || p.grad === undefined) continue;
        if (p.grad.size !== p.value.size || p.grad.dtype !== p.value.dtype) {
          const Err = p.grad.dtype !== p.value.dtype ? DTypeError : ShapeError;
          throw new Err(`${this.name}: a gradient of ${formatShape(p.grad.shape)} ${p.grad.dtype} for a parameter of ${formatShape(p.value.shape)} ${p.value.dtype}`);
        }
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

  /** A named buffer of the parameter's state, zeros of x's size and dtype on first use. */
  protected buffer(state: ParameterState, name: string, like: FloatArray, initial = 0): FloatArray {
    let b = state.buffers[name];
    if (!b) {
      // State outlives the step that first needs it, even one whose buffers are reused.
      b = persistent(() => allocate(dtypeOf(like), like.length));
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

  /** Restores a state saved by `stateDict` into an optimizer over the same parameters (shapes and dtypes checked). */
  loadStateDict(dict: OptimizerStateDict): void {
    if (!dict || dict.optimizer !== this.name) {
      throw new ValueError(`${this.name}.loadStateDict: the state was saved by ${dict?.optimizer ?? "nothing"}, not ${this.name}`);
    }
    const params = this.params;
    const saved = dict.groups.reduce((n, g) => n + g.params.length, 0);
    if (dict.groups.length !== this.paramGroups.length || saved !== params.length) {
      throw new ValueError(`${this.name}.loadStateDict: the state has ${dict.groups.length} groups of ${saved} parameters, this optimizer ${this.paramGroups.length} groups of ${params.length}`);
    }
    const restored = new Map<Parameter, ParameterState>();
    for (const entry of dict.state) {
      const p = params[entry.param];
      if (!p) throw new ValueError(`${this.name}.loadStateDict: state for parameter ${entry.param}, which does not exist`);
      if (!sameShape(entry.shape, p.value.shape)) {
        throw new ShapeError(`${this.name}.loadStateDict: parameter ${entry.param} has shape ${formatShape(p.value.shape)}, the state was saved for ${formatShape(entry.shape)}`);
      }
      const buffers: Record<string, FloatArray> = {};
      for (const [name, encoded] of Object.entries(entry.buffers)) {
        if (encoded.dtype !== p.value.dtype) {
          throw new DTypeError(`${this.name}.loadStateDict: parameter ${entry.param} is ${p.value.dtype}, its saved ${name} is ${encoded.dtype}`);
        }
        buffers[name] = decodeArray(encoded);
      }
      restored.set(p, { step: entry.step, buffers });
    }
    const optionsPerGroup = dict.groups.map((g) => this.validate(g.options as Partial<O>, {} as Partial<O>, false) as O);
    this.state.clear();
    for (const [p, s] of restored) this.state.set(p, s);
    this.paramGroups.forEach((g, i) => (g.options = optionsPerGroup[i]!));
    this.iterations = dict.iterations;
  }
}
