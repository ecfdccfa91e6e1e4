import { type Rng, ValueError } from "@slope/core";
import { type Var, type VarLike, dropout, toVar } from "@slope/autograd";
import { Module } from "../module.js";
import { defaultRng } from "../random.js";
import { pythonFloat } from "./python-repr.js";

/**
 * Inverted dropout, PyTorch's `nn.Dropout`: in training each element is zeroed with probability p
 * and the kept ones are scaled by 1/(1 − p), so evaluation (where it is the identity) needs no
 * rescaling. The masks come from `rng`, or else from nn's default generator at the time of the call.
 */
export class Dropout extends Module {
  /** The probability that an element is zeroed in training (the survivors are scaled by 1/(1 − p)). */
  readonly p: number;
  /** The generator of the masks; null draws from `defaultRng()` on each call. */
  readonly rng: Rng | null;

  constructor(p = 0.5, options: { rng?: Rng } = {}) {
    super();
    if (!(p >= 0 && p <= 1)) throw new ValueError(`Dropout: probability p must be between 0 and 1, got ${p}`);
    this.p = p;
    this.rng = options.rng ?? null;
  }

  override forward(input: VarLike): Var {
    const x = toVar(input);
    if (!this.training || this.p === 0) return x;
    return dropout(x, this.p, this.rng ?? defaultRng(), { training: true });
  }

  override extraRepr(): string {
    return `p=${pythonFloat(this.p)}, inplace=False`;
  }
}
