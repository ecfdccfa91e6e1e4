/**
 * The activation layers, PyTorch's, each a Module around the autograd function of the same name
 * (kept in one file, as PyTorch's activation.py: each is a line of forward and its repr).
 */
import { ValueError } from "@slope/core";
import {
  type Var,
  type VarLike,
  elu,
  gelu,
  leakyRelu,
  logSoftmax,
  relu,
  sigmoid,
  silu,
  softmax,
  softplus,
  tanh,
} from "@slope/autograd";
import { Module } from "../module.js";
import { pythonFloat } from "./python-repr.js";

/** max(0, x). */
export class ReLU extends Module {
  override forward(x: VarLike): Var {
    return relu(x);
  }
}

/** x for x ≥ 0, negativeSlope·x below (default slope 0.01). */
export class LeakyReLU extends Module {
  /** @param negativeSlope The slope for x < 0 (0.01 by default). */
  constructor(readonly negativeSlope = 0.01) {
    super();
  }

  override forward(x: VarLike): Var {
    return leakyRelu(x, this.negativeSlope);
  }

  override extraRepr(): string {
    return `negative_slope=${pythonFloat(this.negativeSlope)}`;
  }
}

/** x for x > 0, alpha·(eˣ − 1) below (default alpha 1). */
export class ELU extends Module {
  /** @param alpha The value approached as x → −∞ is −alpha (1 by default). */
  constructor(readonly alpha = 1) {
    super();
  }

  override forward(x: VarLike): Var {
    return elu(x, this.alpha);
  }

  override extraRepr(): string {
    return `alpha=${pythonFloat(this.alpha)}`;
  }
}

/** x·Φ(x) (Φ the standard normal CDF), or its tanh approximation with `approximate: "tanh"`. */
export class GELU extends Module {
  /** "none" for the exact x·Φ(x), "tanh" for the tanh approximation. */
  readonly approximate: "none" | "tanh";

  constructor(options: { approximate?: "none" | "tanh" } = {}) {
    super();
    const approximate = options.approximate ?? "none";
    if (approximate !== "none" && approximate !== "tanh") {
      throw new ValueError(`GELU: approximate must be "none" or "tanh", got ${String(approximate)}`);
    }
    this.approximate = approximate;
  }

  override forward(x: VarLike): Var {
    return gelu(x, { approximate: this.approximate });
  }

  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** x·σ(x) (also called swish). */
export class SiLU extends Module {
  override forward(x: VarLike): Var {
    return silu(x);
  }
}

/** tanh(x). */
export class Tanh extends Module {
  override forward(x: VarLike): Var {
    return tanh(x);
  }
}

/** σ(x) = 1 / (1 + e⁻ˣ). */
export class Sigmoid extends Module {
  override forward(x: VarLike): Var {
    return sigmoid(x);
  }
}

/** log(1 + e^(beta·x)) / beta, and x itself where beta·x > threshold (defaults beta 1, threshold 20). */
export class Softplus extends Module {
  /** The sharpness: larger beta is closer to ReLU. */
  readonly beta: number;
  /** Above beta·x > threshold the output is x itself, for numerical stability. */
  readonly threshold: number;

  constructor(options: { beta?: number; threshold?: number } = {}) {
    super();
    this.beta = options.beta ?? 1;
    this.threshold = options.threshold ?? 20;
  }

  override forward(x: VarLike): Var {
    return softplus(x, { beta: this.beta, threshold: this.threshold });
  }

  override extraRepr(): string {
    return `beta=${pythonFloat(this.beta)}, threshold=${pythonFloat(this.threshold)}`;
  }
}

/** eˣⁱ / Σⱼ eˣʲ along `dim`. */
export class Softmax extends Module {
  /** @param dim The axis the softmax normalizes over. */
  constructor(readonly dim: number) {
    super();
    if (!Number.isInteger(dim)) throw new ValueError(`Softmax: dim must be an integer, got ${dim}`);
  }

  override forward(x: VarLike): Var {
    return softmax(x, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** xᵢ − log Σⱼ eˣʲ along `dim`. */
export class LogSoftmax extends Module {
  /** @param dim The axis the log-softmax normalizes over. */
  constructor(readonly dim: number) {
    super();
    if (!Number.isInteger(dim)) throw new ValueError(`LogSoftmax: dim must be an integer, got ${dim}`);
  }

  override forward(x: VarLike): Var {
    return logSoftmax(x, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
