import { type EncodedArray, type FloatArray, ValueError, decodeArray, encodeArray, kernels } from "@slope/core";
import { type OptimizerStateDict, type OptionSpec, Optimizer, type ParamGroup, type Parameter } from "../optimizer.js";

/** Options of L-BFGS. */
export type LBFGSOptions = {
  lr: number; historySize: number; maxIterations: number; toleranceGrad: number; toleranceChange: number; maxLineSearch: number;
};

const specs: Record<keyof LBFGSOptions, OptionSpec> = {
  lr: { default: 1, range: "positive" },
  historySize: { default: 10, range: "positive" },
  maxIterations: { default: 20, range: "positive" },
  toleranceGrad: { default: 1e-7, range: "nonNegative" },
  toleranceChange: { default: 1e-9, range: "nonNegative" },
  maxLineSearch: { default: 25, range: "positive" },
};

/** Re-evaluates the loss at the parameters' current values, writes their gradients, returns the loss. */
export type Closure = () => number;

const dot = (a: Float64Array, b: Float64Array) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!; return s; };

/**
 * L-BFGS (Nocedal 1980), a quasi-Newton method: it builds an estimate of the inverse Hessian from
 * the last `historySize` pairs sₖ = xₖ₊₁ − xₖ, yₖ = ∇ₖ₊₁ − ∇ₖ and steps along d = −H·∇ (the two-loop
 * recursion), with a backtracking line search on the Armijo condition
 * f(x + t·d) ≤ f(x) + 10⁻⁴·t·∇ᵀd. Each `step(closure)` runs up to `maxIterations` iterations.
 * The lecture's closing point: more progress per step than first-order methods, more work per step.
 * Defaults (PyTorch's where it has them): lr 1, historySize 10, maxIterations 20.
 */
export class LBFGS extends Optimizer<LBFGSOptions> {
  private history: { s: Float64Array; y: Float64Array }[] = [];

  constructor(params: readonly Parameter[] | readonly ParamGroup<LBFGSOptions>[], options: Partial<LBFGSOptions> = {}) {
    super("LBFGS", specs, params, options);
    if (this.paramGroups.length !== 1) throw new ValueError("LBFGS: supports a single parameter group");
  }

  protected update(): void {
    throw new ValueError("LBFGS: call step(closure), where the closure re-evaluates the loss and its gradients");
  }

  private size(): number {
    return this.params.reduce((n, p) => n + p.value.size, 0);
  }

  private read(which: "value" | "grad"): Float64Array {
    const out = new Float64Array(this.size());
    let offset = 0;
    for (const p of this.params) {
      const source: FloatArray | undefined = which === "value" ? p.value.data : p.grad?.data;
      if (source) out.set(source, offset);
      offset += p.value.size;
    }
    return out;
  }

  private write(x: Float64Array): void {
    let offset = 0;
    for (const p of this.params) {
      p.value.data.set(x.subarray(offset, offset + p.value.size));
      offset += p.value.size;
    }
  }

  /** d = −H·g by the two-loop recursion, H₀ = (sᵀy / yᵀy)·I from the newest pair. */
  private direction(g: Float64Array): Float64Array {
    const q = Float64Array.from(g);
    const alphas: number[] = [];
    for (let k = this.history.length - 1; k >= 0; k--) {
      const { s, y } = this.history[k]!;
      const alpha = dot(s, q) / dot(y, s);
      alphas[k] = alpha;
      kernels().axpy(q, -alpha, y);
    }
    const newest = this.history[this.history.length - 1];
    const gamma = newest ? dot(newest.s, newest.y) / dot(newest.y, newest.y) : 1;
    for (let i = 0; i < q.length; i++) q[i] *= gamma;
    for (let k = 0; k < this.history.length; k++) {
      const { s, y } = this.history[k]!;
      const beta = dot(y, q) / dot(y, s);
      kernels().axpy(q, alphas[k]! - beta, s);
    }
    for (let i = 0; i < q.length; i++) q[i] = -q[i]!;
    return q;
  }

  /** Runs up to maxIterations L-BFGS iterations; returns the loss at the starting point. */
  override step(closure?: Closure): number {
    if (typeof closure !== "function") throw new ValueError("LBFGS.step: a closure is required: () => { zero grads; loss.backward(); return loss }");
    const o = this.paramGroups[0]!.options;
    this.iterations++;
    let loss = closure();
    const initialLoss = loss;
    let x = this.read("value");
    let g = this.read("grad");
    for (let iteration = 0; iteration < o.maxIterations; iteration++) {
      let gMax = 0;
      for (let i = 0; i < g.length; i++) gMax = Math.max(gMax, Math.abs(g[i]!));
      if (gMax <= o.toleranceGrad) break;
      let d = this.direction(g);
      let slope = dot(g, d);
      if (!(slope < 0)) { // not a descent direction: forget the curvature and use −g
        this.history = [];
        d = this.direction(g);
        slope = dot(g, d);
      }
      const stepCount = this.paramGroups[0]!.params.reduce((n, p) => Math.max(n, this.stateOf(p).step), 0);
      let t = stepCount === 0 && this.history.length === 0 ? Math.min(1, 1 / g.reduce((s, v) => s + Math.abs(v), 0)) * o.lr : o.lr;
      let next = x;
      let nextLoss = loss;
      let accepted = false;
      for (let trial = 0; trial < o.maxLineSearch; trial++) {
        next = new Float64Array(x.length);
        for (let i = 0; i < x.length; i++) next[i] = x[i]! + t * d[i]!;
        this.write(next);
        nextLoss = closure();
        if (nextLoss <= loss + 1e-4 * t * slope) { accepted = true; break; }
        t *= 0.5;
      }
      for (const p of this.params) this.stateOf(p).step++;
      if (!accepted) { // no decrease found: stay where we were
        this.write(x);
        closure();
        break;
      }
      const gNext = this.read("grad");
      const s = new Float64Array(x.length);
      const y = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) { s[i] = next[i]! - x[i]!; y[i] = gNext[i]! - g[i]!; }
      if (dot(s, y) > 1e-10) {
        this.history.push({ s, y });
        if (this.history.length > o.historySize) this.history.shift();
      }
      const change = Math.abs(nextLoss - loss);
      x = next;
      g = gNext;
      loss = nextLoss;
      if (change < o.toleranceChange) break;
    }
    return initialLoss;
  }

  override stateDict(): OptimizerStateDict {
    const dict = super.stateDict();
    dict.extra = { history: this.history.map(({ s, y }) => ({ s: encodeArray(s), y: encodeArray(y) })) };
    return dict;
  }

  override loadStateDict(dict: OptimizerStateDict): void {
    super.loadStateDict(dict);
    const saved = (dict.extra?.["history"] ?? []) as { s: EncodedArray; y: EncodedArray }[];
    this.history = saved.map(({ s, y }) => ({ s: decodeArray(s) as Float64Array, y: decodeArray(y) as Float64Array }));
  }
}
