import { type DType, type Rng, type Tensor, ValueError, clone, randn } from "@slope/core";

/** Progress of a derivative-free search, reported after every attempt. */
export interface SearchProgress {
  /** The attempt just made, counting from 0. */
  iteration: number;
  /** The loss of that attempt's W. */
  loss: number;
  /** The lowest loss so far, this attempt included. */
  bestLoss: number;
  /** Whether this attempt set a new best. */
  improved: boolean;
}

/** What a search returns: the best weights, their loss, and every attempt's loss. */
export interface SearchResult {
  /** The W with the lowest loss. */
  best: Tensor;
  /** Its loss. */
  bestLoss: number;
  /** Every attempt's loss, in order (the curve to plot). */
  losses: number[];
}

/** Options of both searches. */
export interface SearchOptions {
  /** How many W to try (1,000 by default). */
  iterations?: number;
  /** Called after every attempt, e.g. to print or plot the search as it runs. */
  onProgress?: (progress: SearchProgress) => void;
}

function checkIterations(where: string, iterations: number): void {
  if (!Number.isInteger(iterations) || iterations <= 0)
    throw new ValueError(`${where}: iterations must be a positive integer, got ${iterations}`);
}

/**
 * The lecture's strategy #1, "a very bad idea": draw W = scale·randn(shape) again and again and
 * keep the W with the lowest loss. No gradient is used. On CIFAR-10 it reaches ~15.5% test accuracy.
 */
export class RandomSearch {
  /** The shape of W, e.g. [3073, 10] for CIFAR-10 with the bias trick. */
  readonly shape: readonly number[];
  /** The standard deviation of each random W (1e-4 by default, the lecture's 0.0001). */
  readonly scale: number;
  /** The dtype of each W (float32 by default). */
  readonly dtype: DType;
  private readonly rng: Rng;

  constructor({
    shape,
    rng,
    scale = 1e-4,
    dtype = "float32",
  }: { shape: readonly number[]; rng: Rng; scale?: number; dtype?: DType }) {
    if (!rng) throw new ValueError("RandomSearch: an rng is required: { rng: new Rng(seed) }");
    if (!(scale > 0)) throw new ValueError(`RandomSearch: scale must be > 0, got ${scale}`);
    this.shape = [...shape];
    this.scale = scale;
    this.dtype = dtype;
    this.rng = rng;
  }

  /** Tries `iterations` (1,000 by default) random W and returns the best. */
  run(loss: (W: Tensor) => number, { iterations = 1000, onProgress }: SearchOptions = {}): SearchResult {
    checkIterations("RandomSearch.run", iterations);
    let best: Tensor | null = null;
    let bestLoss = Infinity;
    const losses: number[] = [];
    for (let iteration = 0; iteration < iterations; iteration++) {
      const W = randn(this.shape, { rng: this.rng, std: this.scale, dtype: this.dtype });
      const value = loss(W);
      losses.push(value);
      const improved = value < bestLoss;
      if (improved) {
        best = W;
        bestLoss = value;
      }
      onProgress?.({ iteration, loss: value, bestLoss, improved });
    }
    return { best: best ?? randn(this.shape, { rng: this.rng, std: this.scale, dtype: this.dtype }), bestLoss, losses };
  }
}

/**
 * The lecture's strategy #2, random local search: perturb the best W by stepSize·randn and keep
 * the perturbation when the loss goes down.
 */
export function randomLocalSearch(
  loss: (W: Tensor) => number,
  start: Tensor,
  { rng, stepSize = 1e-4, iterations = 1000, onProgress }: SearchOptions & { rng: Rng; stepSize?: number },
): SearchResult {
  if (!rng) throw new ValueError("randomLocalSearch: an rng is required: { rng: new Rng(seed) }");
  if (!(stepSize > 0)) throw new ValueError(`randomLocalSearch: stepSize must be > 0, got ${stepSize}`);
  checkIterations("randomLocalSearch", iterations);
  let best = clone(start);
  let bestLoss = loss(best);
  const losses: number[] = [];
  const candidate = clone(start);
  for (let iteration = 0; iteration < iterations; iteration++) {
    for (let i = 0; i < candidate.size; i++) candidate.data[i] = best.data[i]! + stepSize * rng.normal();
    const value = loss(candidate);
    losses.push(value);
    const improved = value < bestLoss;
    if (improved) {
      best = clone(candidate);
      bestLoss = value;
    }
    onProgress?.({ iteration, loss: value, bestLoss, improved });
  }
  return { best, bestLoss, losses };
}
