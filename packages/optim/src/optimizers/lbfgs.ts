import { DataFormatError, type FloatArray, ValueError, encodeArray } from "@slope/core";
import { kernels } from "@slope/core/internal";
import {
  type OptimizerStateDict,
  type OptionSpec,
  Optimizer,
  type ParamGroup,
  type Parameter,
  maximizeSpec,
} from "../optimizer.js";

/** Options of L-BFGS. */
export type LBFGSOptions = {
  /** The step length tried first along each search direction (1 by default). */
  lr: number;
  /** How many past (step, gradient change) pairs approximate the inverse Hessian (10 by default). */
  historySize: number;
  /** The most iterations one step(closure) makes (20 by default). */
  maxIterations: number;
  /** The most closure evaluations one step(closure) makes (⌊maxIterations·5/4⌋ by default). */
  maxEval: number;
  /** Stop when max |∇| falls to this (1e-7 by default). */
  toleranceGrad: number;
  /** Stop when the step or the change of the loss falls to this (1e-9 by default). */
  toleranceChange: number;
  /** The most evaluations one line search makes (25 by default). */
  maxLineSearch: number;
  /**
   * The line search: "backtracking" (Armijo, t halved until the loss falls enough; the default), "strong_wolfe"
   * (PyTorch's strong Wolfe search with cubic interpolation) or "none" (the step t as it comes, PyTorch's default).
   */
  lineSearchFn: "backtracking" | "strong_wolfe" | "none";
  /** Gradient ascent: step along +∇ instead of −∇ (off by default). */
  maximize: boolean;
};

const specs: Record<keyof LBFGSOptions, OptionSpec> = {
  lr: { default: 1, range: "nonNegative" },
  historySize: { default: 10, range: "positive" },
  maxIterations: { default: 20, range: "positive" },
  maxEval: { range: "positive" }, // default ⌊maxIterations·5/4⌋, filled in by the constructor
  toleranceGrad: { default: 1e-7, range: "nonNegative" },
  toleranceChange: { default: 1e-9, range: "nonNegative" },
  maxLineSearch: { default: 25, range: "positive" },
  lineSearchFn: { default: "backtracking", range: "choice", choices: ["backtracking", "strong_wolfe", "none"] },
  maximize: maximizeSpec,
};

/** Re-evaluates the loss at the parameters' current values, writes their gradients, returns the loss. */
export type Closure = () => number;

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};
const maxAbs = (a: Float64Array) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.abs(a[i]!) > m || Number.isNaN(a[i]!) ? Math.abs(a[i]!) : m;
  return m;
};

/** What L-BFGS carries from one `step(closure)` to the next (PyTorch's state of the same names). */
interface Curvature {
  funcEvals: number;
  nIter: number;
  d: Float64Array | null;
  t: number;
  oldDirs: Float64Array[];
  oldSteps: Float64Array[];
  ro: number[];
  hDiag: number;
  prevFlatGrad: Float64Array | null;
  prevLoss: number;
}

const fresh = (): Curvature => ({
  funcEvals: 0,
  nIter: 0,
  d: null,
  t: 0,
  oldDirs: [],
  oldSteps: [],
  ro: [],
  hDiag: 1,
  prevFlatGrad: null,
  prevLoss: 0,
});

/**
 * The minimizer in [lo, hi] of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2, or the middle
 * of the interval when the cubic has no minimum (PyTorch's _cubic_interpolate; Nocedal & Wright, eq. 3.59):
 *
 *     d1 = g1 + g2 − 3·(f1 − f2)/(x1 − x2),  d2 = √(d1² − g1·g2)
 *     x = x2 − (x2 − x1)·(g2 + d2 − d1)/(g2 − g1 + 2·d2)          (x1 ≤ x2; the mirror image otherwise)
 */
export function cubicInterpolate(
  x1: number,
  f1: number,
  g1: number,
  x2: number,
  f2: number,
  g2: number,
  bounds?: [number, number],
): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 * d1 - g1 * g2;
  if (d2Square >= 0) {
    const d2 = Math.sqrt(d2Square);
    const at =
      x1 <= x2
        ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(at, lo), hi);
  }
  return (lo + hi) / 2;
}

/** f and ∇f at x + t·d. */
type Directional = (t: number) => { f: number; g: Float64Array };

/**
 * A step t along d satisfying the strong Wolfe conditions, f(x + t·d) ≤ f + c1·t·∇fᵀd and
 * |∇f(x + t·d)ᵀd| ≤ c2·|∇fᵀd| (c1 = 1e-4, c2 = 0.9): PyTorch's _strong_wolfe (after minFunc) ported line for
 * line — a bracketing phase that extrapolates by cubic interpolation within [t + 0.01·(t − t_prev), 10·t], then a
 * zoom phase that shrinks the bracket by cubic interpolation, kept 10% away from its ends. Returns the loss, the
 * gradient and the step found, and how many evaluations it took.
 */
export function strongWolfe(
  evaluate: Directional,
  t: number,
  d: Float64Array,
  f: number,
  g: Float64Array,
  gtd: number,
  toleranceChange = 1e-9,
  maxLineSearch = 25,
  c1 = 1e-4,
  c2 = 0.9,
): {
  /** The loss at x + t·d. */
  f: number;
  /** The gradient at x + t·d. */
  g: Float64Array;
  /** The step found. */
  t: number;
  /** How many times `evaluate` was called. */
  evaluations: number;
} {
  const dNorm = maxAbs(d);
  let { f: fNew, g: gNew } = evaluate(t);
  let evaluations = 1;
  let gtdNew = dot(gNew, d);
  let tPrev = 0,
    fPrev = f,
    gPrev = g,
    gtdPrev = gtd;
  let done = false;
  let iteration = 0;
  let bracket: number[] = [],
    bracketF: number[] = [],
    bracketG: Float64Array[] = [],
    bracketGtd: number[] = [];
  while (iteration < maxLineSearch) {
    if (fNew > f + c1 * t * gtd || (iteration > 1 && fNew >= fPrev)) {
      [bracket, bracketF, bracketG, bracketGtd] = [
        [tPrev, t],
        [fPrev, fNew],
        [gPrev, gNew],
        [gtdPrev, gtdNew],
      ];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      [bracket, bracketF, bracketG] = [[t], [fNew], [gNew]];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      [bracket, bracketF, bracketG, bracketGtd] = [
        [tPrev, t],
        [fPrev, fNew],
        [gPrev, gNew],
        [gtdPrev, gtdNew],
      ];
      break;
    }
    const minStep = t + 0.01 * (t - tPrev);
    const maxStep = t * 10;
    const previous = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    [tPrev, fPrev, gPrev, gtdPrev] = [previous, fNew, gNew, gtdNew];
    ({ f: fNew, g: gNew } = evaluate(t));
    evaluations++;
    gtdNew = dot(gNew, d);
    iteration++;
  }
  if (iteration === maxLineSearch)
    [bracket, bracketF, bracketG] = [
      [0, t],
      [f, fNew],
      [g, gNew],
    ];

  // Zoom: shrink the bracket until a point satisfies both conditions.
  let insufficientProgress = false;
  let [low, high] = bracketF[0]! <= bracketF[bracketF.length - 1]! ? [0, 1] : [1, 0];
  while (!done && iteration < maxLineSearch) {
    if (Math.abs(bracket[1]! - bracket[0]!) * dNorm < toleranceChange) break;
    t = cubicInterpolate(bracket[0]!, bracketF[0]!, bracketGtd[0]!, bracket[1]!, bracketF[1]!, bracketGtd[1]!);
    const top = Math.max(...bracket),
      bottom = Math.min(...bracket);
    const eps = 0.1 * (top - bottom);
    if (Math.min(top - t, t - bottom) < eps) {
      if (insufficientProgress || t >= top || t <= bottom) {
        t = Math.abs(t - top) < Math.abs(t - bottom) ? top - eps : bottom + eps;
        insufficientProgress = false;
      } else {
        insufficientProgress = true;
      }
    } else {
      insufficientProgress = false;
    }
    ({ f: fNew, g: gNew } = evaluate(t));
    evaluations++;
    gtdNew = dot(gNew, d);
    iteration++;
    if (fNew > f + c1 * t * gtd || fNew >= bracketF[low]!) {
      [bracket[high], bracketF[high], bracketG[high], bracketGtd[high]] = [t, fNew, gNew, gtdNew];
      [low, high] = bracketF[0]! <= bracketF[1]! ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) done = true;
      else if (gtdNew * (bracket[high]! - bracket[low]!) >= 0) {
        [bracket[high], bracketF[high], bracketG[high], bracketGtd[high]] = [
          bracket[low]!,
          bracketF[low]!,
          bracketG[low]!,
          bracketGtd[low]!,
        ];
      }
      [bracket[low], bracketF[low], bracketG[low], bracketGtd[low]] = [t, fNew, gNew, gtdNew];
    }
  }
  return { f: bracketF[low]!, g: bracketG[low]!, t: bracket[low]!, evaluations };
}

/**
 * L-BFGS (Nocedal 1980), a quasi-Newton method, as PyTorch's torch.optim.LBFGS: it builds an estimate of
 * the inverse Hessian from the last `historySize` pairs s = t·d, y = ∇ₖ₊₁ − ∇ₖ (kept when yᵀs > 1e-10) and
 * steps along d = −H·∇ (the two-loop recursion, H₀ = (yᵀs / yᵀy)·I from the newest pair). Each
 * `step(closure)` runs up to `maxIterations` iterations and `maxEval` evaluations of the closure, and stops
 * early when max|∇| ≤ toleranceGrad, ∇ᵀd > −toleranceChange, max|t·d| ≤ toleranceChange or the loss changes
 * by less than toleranceChange. The very first step is t = min(1, 1/‖∇‖₁)·lr, later ones start at t = lr, then:
 *
 *     lineSearchFn "none"          x += t·d (PyTorch's default)
 *     lineSearchFn "strong_wolfe"  t from the strong Wolfe line search (PyTorch's, see strongWolfe)
 *     lineSearchFn "backtracking"  t halved (up to maxLineSearch times) until the Armijo condition
 *                                  f(x + t·d) ≤ f(x) + 10⁻⁴·t·∇ᵀd holds; none found: x stays (Slope's default).
 *                                  Where d is not a descent direction it forgets the pairs and takes d = −∇
 *                                  (PyTorch stops there once ∇ᵀd > −toleranceChange).
 *
 * The curvature pairs and the last direction carry over from one `step` to the next, and are saved by
 * `stateDict`. With maximize the closure's value is maximized (−f is minimized). Vectors are float64 whatever
 * the parameters' dtype. The lecture's closing point: more progress per step than first-order methods, more
 * work per step. Defaults: lr 1, historySize 10 (PyTorch's 100), maxIterations 20, maxEval ⌊maxIterations·5/4⌋,
 * toleranceGrad 1e-7, toleranceChange 1e-9, lineSearchFn "backtracking" (PyTorch's none).
 */
export class LBFGS extends Optimizer<LBFGSOptions> {
  private curvature: Curvature = fresh();

  constructor(params: readonly Parameter[] | readonly ParamGroup<LBFGSOptions>[], options: Partial<LBFGSOptions> = {}) {
    const maxIterations = options.maxIterations ?? (specs.maxIterations.default as number);
    const maxEval =
      options.maxEval ?? (Number.isFinite(maxIterations) ? Math.floor((maxIterations * 5) / 4) : undefined); // PyTorch's default
    super("LBFGS", specs, params, { ...options, ...(maxEval === undefined ? {} : { maxEval }) });
    if (this.paramGroups.length !== 1) throw new ValueError("LBFGS: supports a single parameter group");
  }

  protected update(): void {
    throw new ValueError("LBFGS: call step(closure), where the closure re-evaluates the loss and its gradients");
  }

  private size(): number {
    return this.params.reduce((n, p) => n + p.value.size, 0);
  }

  private readValues(): Float64Array {
    const out = new Float64Array(this.size());
    let offset = 0;
    for (const p of this.params) {
      out.set(p.value.data, offset);
      offset += p.value.size;
    }
    return out;
  }

  /** The gradients as one vector (zeros for a null grad), negated when maximizing. */
  private readGradient(sign: number): Float64Array {
    const out = new Float64Array(this.size());
    let offset = 0;
    for (const p of this.params) {
      if (p.grad) {
        this.checkGradient(p, p.grad);
        const g: FloatArray = p.grad.data;
        for (let i = 0; i < g.length; i++) out[offset + i] = sign * g[i]!;
      }
      offset += p.value.size;
    }
    return out;
  }

  /** Sets the parameters to x + t·d (x + t·d in float64, then rounded to each parameter's dtype). */
  private writeStep(x: Float64Array, t: number, d: Float64Array): void {
    let offset = 0;
    for (const p of this.params) {
      const data = p.value.data;
      for (let i = 0; i < data.length; i++) data[i] = x[offset + i]! + t * d[offset + i]!;
      offset += p.value.size;
    }
  }

  /** Sets the parameters to x. */
  private writeValues(x: Float64Array): void {
    let offset = 0;
    for (const p of this.params) {
      p.value.data.set(x.subarray(offset, offset + p.value.size));
      offset += p.value.size;
    }
  }

  /** Runs up to maxIterations L-BFGS iterations; returns the loss at the starting point (the closure's value). */
  override step(closure?: Closure): number {
    if (typeof closure !== "function") {
      throw new ValueError("LBFGS.step: a closure is required: () => { zero grads; loss.backward(); return loss }");
    }
    const o = this.paramGroups[0]!.options;
    const sign = o.maximize ? -1 : 1;
    const call = (): number => {
      const value = closure();
      if (typeof value !== "number") {
        throw new ValueError(`LBFGS.step: the closure returned ${String(value)}, not a number`);
      }
      return sign * value;
    };
    const state = this.curvature;
    this.iterations++;
    const originalLoss = closure();
    if (typeof originalLoss !== "number") {
      throw new ValueError(`LBFGS.step: the closure returned ${String(originalLoss)}, not a number`);
    }
    let loss = sign * originalLoss;
    let currentEvals = 1;
    state.funcEvals++;
    let g = this.readGradient(sign);
    if (maxAbs(g) <= o.toleranceGrad) return originalLoss;
    let { d, t, hDiag, prevFlatGrad, prevLoss } = state;
    let nIter = 0;
    while (nIter < o.maxIterations) {
      nIter++;
      state.nIter++;
      for (const p of this.params) this.stateOf(p).step = state.nIter;
      if (state.nIter === 1) {
        d = g.map((v) => -v);
        state.oldDirs = [];
        state.oldSteps = [];
        state.ro = [];
        hDiag = 1;
      } else {
        const y = new Float64Array(g.length),
          s = new Float64Array(g.length);
        for (let i = 0; i < g.length; i++) {
          y[i] = g[i]! - prevFlatGrad![i]!;
          s[i] = d![i]! * t;
        }
        const ys = dot(y, s);
        if (ys > 1e-10) {
          while (state.oldDirs.length >= o.historySize) {
            state.oldDirs.shift();
            state.oldSteps.shift();
            state.ro.shift();
          }
          state.oldDirs.push(y);
          state.oldSteps.push(s);
          state.ro.push(1 / ys);
          hDiag = ys / dot(y, y);
        }
        const q = g.map((v) => -v);
        const al: number[] = [];
        for (let i = state.oldDirs.length - 1; i >= 0; i--) {
          al[i] = dot(state.oldSteps[i]!, q) * state.ro[i]!;
          kernels().axpy(q, -al[i]!, state.oldDirs[i]!);
        }
        for (let i = 0; i < q.length; i++) q[i] = q[i]! * hDiag;
        for (let i = 0; i < state.oldDirs.length; i++) {
          const be = dot(state.oldDirs[i]!, q) * state.ro[i]!;
          kernels().axpy(q, al[i]! - be, state.oldSteps[i]!);
        }
        d = q;
      }
      prevFlatGrad = Float64Array.from(g);
      prevLoss = loss;
      t = state.nIter === 1 ? Math.min(1, 1 / g.reduce((sum, v) => sum + Math.abs(v), 0)) * o.lr : o.lr;
      let gtd = dot(g, d);
      if (o.lineSearchFn === "backtracking" && !(gtd < 0)) {
        // Slope's rule: not a descent direction, so forget the curvature and go down the gradient.
        state.oldDirs = [];
        state.oldSteps = [];
        state.ro = [];
        hDiag = 1;
        d = g.map((v) => -v);
        gtd = dot(g, d);
      }
      if (o.lineSearchFn !== "backtracking" && gtd > -o.toleranceChange) break; // PyTorch's rule
      if (!(gtd < 0)) break;
      let evaluations = 0;
      let optimal = false;
      let stop = false;
      if (o.lineSearchFn === "strong_wolfe") {
        const x = this.readValues();
        const direction = d;
        const evaluate: Directional = (step) => {
          this.writeStep(x, step, direction);
          const f = call();
          const gradient = this.readGradient(sign);
          this.writeValues(x);
          return { f, g: gradient };
        };
        const found = strongWolfe(evaluate, t, direction, loss, g, gtd, o.toleranceChange, o.maxLineSearch);
        ({ f: loss, g, t, evaluations } = found);
        this.writeStep(x, t, direction);
        optimal = maxAbs(g) <= o.toleranceGrad;
      } else if (o.lineSearchFn === "backtracking") {
        const x = this.readValues();
        let accepted = false;
        for (let trial = 0; trial < o.maxLineSearch; trial++) {
          this.writeStep(x, t, d);
          const f = call();
          evaluations++;
          if (f <= loss + 1e-4 * t * gtd) {
            accepted = true;
            loss = f;
            break;
          }
          t *= 0.5;
        }
        if (!accepted) {
          // no decrease found: stay where we were, with its gradients
          this.writeValues(x);
          call();
          evaluations++;
          t = 0;
          stop = true;
        }
        g = this.readGradient(sign);
        optimal = maxAbs(g) <= o.toleranceGrad;
      } else {
        this.writeStep(this.readValues(), t, d);
        if (nIter !== o.maxIterations) {
          loss = call();
          g = this.readGradient(sign);
          optimal = maxAbs(g) <= o.toleranceGrad;
          evaluations = 1;
        }
      }
      currentEvals += evaluations;
      state.funcEvals += evaluations;
      if (stop || nIter === o.maxIterations || currentEvals >= o.maxEval || optimal) break;
      let change = 0;
      for (let i = 0; i < d.length; i++) change = Math.max(change, Math.abs(d[i]! * t));
      if (change <= o.toleranceChange) break;
      if (Math.abs(loss - prevLoss) < o.toleranceChange) break;
    }
    Object.assign(state, { d, t, hDiag, prevFlatGrad, prevLoss });
    return originalLoss;
  }

  override stateDict(): OptimizerStateDict {
    const dict = super.stateDict();
    const c = this.curvature;
    const vector = (v: Float64Array | null) => (v ? encodeArray(v) : null);
    dict.extra = {
      funcEvals: c.funcEvals,
      nIter: c.nIter,
      scalars: encodeArray(Float64Array.of(c.t, c.hDiag, c.prevLoss)), // bit for bit, NaN and ±∞ included
      d: vector(c.d),
      prevFlatGrad: vector(c.prevFlatGrad),
      oldDirs: c.oldDirs.map(encodeArray),
      oldSteps: c.oldSteps.map(encodeArray),
      ro: encodeArray(Float64Array.from(c.ro)),
    };
    return dict;
  }

  protected override checkExtra(extra: unknown, where: string): () => void {
    const e = extra as Record<string, unknown> | undefined;
    const keys = ["funcEvals", "nIter", "scalars", "d", "prevFlatGrad", "oldDirs", "oldSteps", "ro"];
    if (typeof e !== "object" || e === null || Array.isArray(e)) {
      throw new DataFormatError(`${where}: L-BFGS's state needs "extra" with ${keys.join(", ")}`);
    }
    for (const key of Object.keys(e)) {
      if (!keys.includes(key)) {
        throw new DataFormatError(`${where}: unknown L-BFGS state "${key}"; expected ${keys.join(", ")}`);
      }
    }
    for (const key of keys) if (!(key in e)) throw new DataFormatError(`${where}: L-BFGS's state has no "${key}"`);
    const count = (key: string) => {
      const v = e[key];
      if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
        throw new DataFormatError(`${where}: ${key} must be an integer ≥ 0, got ${String(v)}`);
      }
      return v;
    };
    const n = this.size();
    const vector = (v: unknown, what: string, length = n) =>
      this.decodeBuffer(v, length, "float64", `${where}: ${what}`) as Float64Array;
    const optional = (key: string) => (e[key] === null ? null : vector(e[key], key));
    const list = (key: string) => {
      if (!Array.isArray(e[key])) throw new DataFormatError(`${where}: ${key} must be an array`);
      return (e[key] as unknown[]).map((v, i) => vector(v, `${key}[${i}]`));
    };
    const funcEvals = count("funcEvals"),
      nIter = count("nIter");
    const [t, hDiag, prevLoss] = vector(e.scalars, "scalars", 3);
    const d = optional("d"),
      prevFlatGrad = optional("prevFlatGrad");
    const oldDirs = list("oldDirs"),
      oldSteps = list("oldSteps");
    if (!Array.isArray(e.ro) && (typeof e.ro !== "object" || e.ro === null)) {
      throw new DataFormatError(`${where}: ro must be an encoded array`);
    }
    const ro = Array.from(vector(e.ro, "ro", oldDirs.length));
    if (oldSteps.length !== oldDirs.length) {
      throw new DataFormatError(`${where}: ${oldDirs.length} oldDirs but ${oldSteps.length} oldSteps`);
    }
    if (nIter > 0 && (!d || !prevFlatGrad)) {
      throw new DataFormatError(`${where}: after ${nIter} iterations the state must hold d and prevFlatGrad`);
    }
    return () => {
      this.curvature = {
        funcEvals,
        nIter,
        d,
        t: t!,
        oldDirs,
        oldSteps,
        ro,
        hDiag: hDiag!,
        prevFlatGrad,
        prevLoss: prevLoss!,
      };
    };
  }
}
