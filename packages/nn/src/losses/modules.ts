import { DEFAULT_DTYPE, Tensor, tensor } from "@slope/core";
import type { Var, VarLike } from "@slope/autograd";
import { Module } from "../module.js";
import { binaryCrossEntropy } from "./binary-cross-entropy.js";
import { binaryCrossEntropyWithLogits } from "./binary-cross-entropy-with-logits.js";
import type { ClassIndices } from "./class-targets.js";
import { crossEntropy } from "./cross-entropy.js";
import { huberLoss } from "./huber-loss.js";
import { type KlDivOptions, klDiv } from "./kl-div.js";
import { l1Loss } from "./l1-loss.js";
import { mseLoss } from "./mse-loss.js";
import { nllLoss } from "./nll-loss.js";
import { type Reduction, checkReduction } from "./reduction.js";

/*
 * The losses as modules, PyTorch's `nn.*Loss`: each holds its options and calls its function in
 * `forward(input, target)`. A class weight (and BCEWithLogitsLoss's pos_weight) is a buffer, as in
 * PyTorch: saved in the state dict under "weight" / "pos_weight" and converted by `to(dtype)`.
 */

/** A weight given as a Tensor is kept as is; plain numbers become a tensor of the default dtype. */
function weightBuffer(weight: Tensor | ArrayLike<number> | undefined): Tensor | null {
  if (weight === undefined) return null;
  return weight instanceof Tensor ? weight : tensor(weight, { dtype: DEFAULT_DTYPE });
}

/** Options of `CrossEntropyLoss`. */
export interface CrossEntropyLossOptions {
  /** A weight per class: each sample's loss is multiplied by its target class's weight (none by default). */
  weight?: Tensor | ArrayLike<number>;
  /** A target value whose samples count neither in the loss nor in the mean's divisor (−100 by default). */
  ignoreIndex?: number;
  /** How the per-element losses are combined: "mean" (the default), "sum" or "none". */
  reduction?: Reduction;
  /** ε in [0, 1]: the target becomes (1 − ε)·onehot(y) + ε/C (0 by default). */
  labelSmoothing?: number;
}

/** `crossEntropy` as a module (PyTorch's `nn.CrossEntropyLoss`); `weight` is a buffer. */
export class CrossEntropyLoss extends Module {
  /** A target value whose samples are left out. */
  readonly ignoreIndex: number;
  /** How the per-element losses are combined: "mean" (the default), "sum" or "none". */
  readonly reduction: Reduction;
  /** ε of label smoothing. */
  readonly labelSmoothing: number;
  /** The weight of each class (a buffer), or null. */
  declare weight: Tensor | null;

  constructor(options: CrossEntropyLossOptions = {}) {
    super();
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.reduction = options.reduction ?? "mean";
    checkReduction(this.reduction, "CrossEntropyLoss");
    this.labelSmoothing = options.labelSmoothing ?? 0;
    this.registerBuffer("weight", weightBuffer(options.weight));
  }

  override forward(input: VarLike, target: ClassIndices): Var {
    return crossEntropy(input, target, {
      reduction: this.reduction,
      ignoreIndex: this.ignoreIndex,
      labelSmoothing: this.labelSmoothing,
      weight: this.weight ?? undefined,
    });
  }
}

/** Options of `NLLLoss`. */
export interface NLLLossOptions {
  /** A weight per class: each sample's loss is multiplied by its target class's weight (none by default). */
  weight?: Tensor | ArrayLike<number>;
  /** A target value whose samples count neither in the loss nor in the mean's divisor (−100 by default). */
  ignoreIndex?: number;
  /** How the per-element losses are combined: "mean" (the default), "sum" or "none". */
  reduction?: Reduction;
}

/** `nllLoss` as a module (PyTorch's `nn.NLLLoss`); `weight` is a buffer. */
export class NLLLoss extends Module {
  /** A target value whose samples are left out. */
  readonly ignoreIndex: number;
  /** How the per-element losses are combined: "mean" (the default), "sum" or "none". */
  readonly reduction: Reduction;
  /** The weight of each class (a buffer), or null. */
  declare weight: Tensor | null;

  constructor(options: NLLLossOptions = {}) {
    super();
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.reduction = options.reduction ?? "mean";
    checkReduction(this.reduction, "NLLLoss");
    this.registerBuffer("weight", weightBuffer(options.weight));
  }

  override forward(input: VarLike, target: ClassIndices): Var {
    const weight = this.weight ?? undefined;
    return nllLoss(input, target, { reduction: this.reduction, ignoreIndex: this.ignoreIndex, weight });
  }
}

/** `mseLoss` as a module (PyTorch's `nn.MSELoss`). */
export class MSELoss extends Module {
  /** How the per-element losses are combined: "mean" (the default), "sum" or "none". */
  readonly reduction: Reduction;

  constructor(options: { reduction?: Reduction } = {}) {
    super();
    this.reduction = options.reduction ?? "mean";
    checkReduction(this.reduction, "MSELoss");
  }

  override forward(input: VarLike, target: VarLike): Var {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}

/** `l1Loss` as a module (PyTorch's `nn.L1Loss`). */
export class L1Loss extends Module {
  /** How the per-element losses are combined: "mean" (the default), "sum" or "none". */
  readonly reduction: Reduction;

  constructor(options: { reduction?: Reduction } = {}) {
    super();
    this.reduction = options.reduction ?? "mean";
    checkReduction(this.reduction, "L1Loss");
  }

  override forward(input: VarLike, target: VarLike): Var {
    return l1Loss(input, target, { reduction: this.reduction });
  }
}

/** `huberLoss` as a module (PyTorch's `nn.HuberLoss`). */
export class HuberLoss extends Module {
  /** How the per-element losses are combined: "mean" (the default), "sum" or "none". */
  readonly reduction: Reduction;
  /** δ, where the loss turns from quadratic, ½(x − y)², to linear, δ·(|x − y| − ½δ). */
  readonly delta: number;

  constructor(options: { reduction?: Reduction; delta?: number } = {}) {
    super();
    this.reduction = options.reduction ?? "mean";
    checkReduction(this.reduction, "HuberLoss");
    this.delta = options.delta ?? 1;
  }

  override forward(input: VarLike, target: VarLike): Var {
    return huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/** `binaryCrossEntropy` as a module (PyTorch's `nn.BCELoss`); `weight` is a buffer. */
export class BCELoss extends Module {
  /** How the per-element losses are combined: "mean" (the default), "sum" or "none". */
  readonly reduction: Reduction;
  /** The weight of each element's loss (a buffer, broadcast against the input), or null. */
  declare weight: Tensor | null;

  constructor(options: { weight?: Tensor; reduction?: Reduction } = {}) {
    super();
    this.reduction = options.reduction ?? "mean";
    checkReduction(this.reduction, "BCELoss");
    this.registerBuffer("weight", options.weight ?? null);
  }

  override forward(input: VarLike, target: VarLike): Var {
    return binaryCrossEntropy(input, target, { reduction: this.reduction, weight: this.weight ?? undefined });
  }
}

/** `binaryCrossEntropyWithLogits` as a module (PyTorch's `nn.BCEWithLogitsLoss`); weight and pos_weight are buffers. */
export class BCEWithLogitsLoss extends Module {
  /** How the per-element losses are combined: "mean" (the default), "sum" or "none". */
  readonly reduction: Reduction;
  /** The weight of each element's loss (a buffer, broadcast against the input), or null. */
  declare weight: Tensor | null;
  /** The weight of the positive term of each class, y·log σ(x) (a buffer), or null. */
  declare pos_weight: Tensor | null;

  constructor(options: { weight?: Tensor; reduction?: Reduction; posWeight?: Tensor } = {}) {
    super();
    this.reduction = options.reduction ?? "mean";
    checkReduction(this.reduction, "BCEWithLogitsLoss");
    this.registerBuffer("weight", options.weight ?? null);
    this.registerBuffer("pos_weight", options.posWeight ?? null);
  }

  /** pos_weight, by its camelCase name. */
  get posWeight(): Tensor | null {
    return this.pos_weight;
  }

  override forward(input: VarLike, target: VarLike): Var {
    return binaryCrossEntropyWithLogits(input, target, {
      reduction: this.reduction,
      weight: this.weight ?? undefined,
      posWeight: this.pos_weight ?? undefined,
    });
  }
}

/** `klDiv` as a module (PyTorch's `nn.KLDivLoss`). */
export class KLDivLoss extends Module {
  /** How the per-element losses are combined: "mean", "sum", "none", or "batchmean" (the sum over the batch size). */
  readonly reduction: Reduction | "batchmean";
  /** Whether the target is given as log-probabilities. */
  readonly logTarget: boolean;

  constructor(options: KlDivOptions = {}) {
    super();
    this.reduction = options.reduction ?? "mean";
    checkReduction(this.reduction, "KLDivLoss", ["mean", "batchmean", "sum", "none"]);
    this.logTarget = options.logTarget ?? false;
  }

  override forward(input: VarLike, target: VarLike): Var {
    return klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}
