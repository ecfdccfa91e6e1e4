// The demo's state and its one computation: scores s = W·xᵢ + b for every point (W [3, 2], one row
// per class, as the lecture writes it), the chosen data loss, the L2 penalty λ·Σ W², their
// gradients by @slope/autograd's backward, and the update by @slope/optim's SGD.
import { type Var, add, l2, matmul, mul, noGrad, param } from "@slope/autograd";
import { type Tensor, Rng, mean, rand, tensor } from "@slope/core";
import { gaussianBlobs } from "@slope/data";
import { SGD } from "@slope/optim";
import { type LossKind, dataLossOf } from "./losses/index.js";

export const CLASSES = 3;

export interface Point {
  x0: number;
  x1: number;
  y: number;
}

/** Everything the page shows, computed in one pass. */
export interface Evaluation {
  /** sᵢⱼ, one row per point. */
  scores: number[][];
  /** Lᵢ, one per point. */
  pointLosses: number[];
  /** (1/N) Σᵢ Lᵢ over the table's column (equal to dataLoss up to rounding: the fused nodes sum differently). */
  pointLossMean: number;
  dataLoss: number;
  regularisationLoss: number;
  total: number;
  /** ∂L/∂W [3][2] and ∂L/∂b [3] of the total loss (zero when there are no points and λ = 0). */
  dW: number[][];
  db: number[];
}

/** The default parameters: three class rows pointing different ways. */
const W0 = [
  [1, 2],
  [2, -4],
  [3, -1],
];
const B0 = [0, 0.5, -0.5];

/** Scores S = X·Wᵀ + b for rows X [N, 2]: row i is W·xᵢ + b. */
export const scoresOf = (X: Tensor | Var, W: Var, b: Var): Var => add(matmul(X, W, { transposeB: true }), b);

export class Demo {
  points: Point[] = [];
  W: Var = param(tensor(W0, { dtype: "float64" }));
  b: Var = param(tensor(B0, { dtype: "float64" }));
  kind: LossKind = "weston-watkins";
  /** The regularisation strength λ (never negative). */
  reg = 0.1;
  /** The step size (learning rate, always positive). */
  lr = 0.1;
  steps = 0;
  private optimizer = new SGD([this.W, this.b], { lr: this.lr });
  private randomness = new Rng("linear-classifier: randomize");

  constructor() {
    this.reset();
  }

  /** The default 12 points (three Gaussian blobs) and parameters. */
  reset(): void {
    const blobs = gaussianBlobs({ count: 12, classes: CLASSES, std: 0.7, rng: new Rng("linear-classifier") });
    this.points = Array.from({ length: 12 }, (_, i) => ({
      x0: round(1.4 * blobs.x.data[2 * i]!),
      x1: round(1.4 * blobs.x.data[2 * i + 1]!),
      y: blobs.y[i]!,
    }));
    this.setParameters(W0, B0);
  }

  /** New W and b drawn uniformly from [−2, 2] with the page's seeded Rng. */
  randomize(): void {
    const W = rand([CLASSES, 2], { rng: this.randomness, low: -2, high: 2, dtype: "float64" });
    const b = rand([CLASSES], { rng: this.randomness, low: -2, high: 2, dtype: "float64" });
    this.setParameters(W.toArray() as number[][], b.toArray() as number[]);
  }

  setParameters(W: number[][], b: number[]): void {
    this.W = param(tensor(W, { dtype: "float64" }));
    this.b = param(tensor(b, { dtype: "float64" }));
    this.optimizer = new SGD([this.W, this.b], { lr: this.lr });
    this.steps = 0;
  }

  /** The total loss as a graph: L = (1/N) Σᵢ Lᵢ + λ·Σₖₗ W²ₖₗ (the biases are not regularised). */
  private graph(): { scores: Var | null; data: Var | null; regularisation: Var; total: Var } {
    const regularisation = mul(l2(this.W), this.reg);
    if (this.points.length === 0) return { scores: null, data: null, regularisation, total: regularisation };
    const X = tensor(
      this.points.flatMap((p) => [p.x0, p.x1]),
      { shape: [this.points.length, 2], dtype: "float64" },
    );
    const scores = scoresOf(X, this.W, this.b);
    const data = dataLossOf(this.kind).dataLoss(scores, this.labels());
    return { scores, data, regularisation, total: add(data, regularisation) };
  }

  private labels(): number[] {
    return this.points.map((p) => p.y);
  }

  /** The scores, every Lᵢ, the three losses and the gradient of the total, for the current state. */
  evaluate(): Evaluation {
    this.W.grad = null;
    this.b.grad = null;
    const { scores, data, regularisation, total } = this.graph();
    total.backward();
    const perPoint = scores === null ? null : noGrad(() => dataLossOf(this.kind).pointLosses(scores, this.labels()));
    const dW = this.W.grad as Tensor | null;
    const db = this.b.grad as Tensor | null;
    return {
      scores: scores === null ? [] : (scores.value.toArray() as number[][]),
      pointLosses: perPoint === null ? [] : Array.from(perPoint.value.data),
      pointLossMean: perPoint === null ? 0 : mean(perPoint.value).item(),
      dataLoss: data ? data.item() : 0,
      regularisationLoss: regularisation.item(),
      total: total.item(),
      dW: dW ? (dW.toArray() as number[][]) : W0.map((row) => row.map(() => 0)),
      db: db ? (db.toArray() as number[]) : B0.map(() => 0),
    };
  }

  /** One SGD step on the total loss: W ← W − lr·∂L/∂W, b ← b − lr·∂L/∂b. */
  step(): void {
    this.optimizer.lr = this.lr;
    this.optimizer.zeroGrad();
    this.graph().total.backward();
    this.optimizer.step();
    this.steps++;
  }

  /** Whether a parameter left the numbers a float can hold usefully (the step size is too large). */
  diverged(): boolean {
    for (const t of [this.W.value, this.b.value]) {
      for (const v of t.data) if (!Number.isFinite(v) || Math.abs(v) > 1e6) return true;
    }
    return false;
  }

  /** The class scores at many points at once (for shading the plane), [M, 3]. */
  scoresAt(X: Tensor): Tensor {
    return noGrad(() => scoresOf(X, this.W, this.b)).value;
  }

  /** Plain numbers for the tests: the parameters, the points, the settings. */
  snapshot() {
    return {
      W: this.W.value.toArray() as number[][],
      b: this.b.value.toArray() as number[],
      points: this.points.map((p) => ({ ...p })),
      kind: this.kind,
      reg: this.reg,
      lr: this.lr,
      steps: this.steps,
    };
  }
}

const round = (v: number) => Math.round(v * 100) / 100;
