import { IndexError, ValueError } from "@slope/core";
import { type Var, type VarLike, toVar } from "@slope/autograd";
import { Module } from "../module.js";

/**
 * Modules applied one after the other, PyTorch's `nn.Sequential`: the children are named "0", "1",
 * … (so parameters are "0.weight", "1.bias", …) and indexable as `seq[i]` or `seq.at(i)`.
 */
export class Sequential extends Module {
  [index: number]: Module;

  constructor(...modules: Module[]) {
    super();
    for (const module of modules) this.append(module);
  }

  /** The number of modules. */
  get length(): number {
    return Object.keys(this).filter((key) => /^\d+$/.test(key)).length;
  }

  /** The module at `index` (negative counts from the end). */
  at(index: number): Module {
    const n = this.length;
    if (!Number.isInteger(index) || index < -n || index >= n) {
      throw new IndexError(`Sequential: index ${index} is out of range for ${n} modules`);
    }
    return this[index < 0 ? index + n : index]!;
  }

  /** Adds `module` at the end, under the next number; returns this. */
  append(module: Module): this {
    if (!(module instanceof Module)) {
      throw new ValueError(`Sequential: expected a Module, got ${module === null ? "null" : typeof module}`);
    }
    this[this.length] = module;
    return this;
  }

  /** The layers in order, so that `for (const layer of model)` and `[...model]` work. */
  *[Symbol.iterator](): IterableIterator<Module> {
    const n = this.length;
    for (let i = 0; i < n; i++) yield this[i]!;
  }

  /** Feeds the input through each module in order (an empty Sequential is the identity). */
  override forward(input: VarLike): Var {
    let x = toVar(input);
    for (const module of this) x = module.forward(x);
    return x;
  }
}
