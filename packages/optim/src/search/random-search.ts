import { type DType, type Rng, type Tensor, ValueError, clone, randn } from "@slope/core";

/** Progress of a derivative-free search, reported after every attempt. */
export interface SearchProgress {
  iteration: number;
  loss: number;
  bestLoss: number;
  improved: boolean;
}

/** What a search returns: the best weights, their loss, and every attempt's loss. */
export interface SearchResult {
  best: Tensor;
  bestLoss: number;
  losses: number[];
}

/** Options of both searches. */
export interface SearchOptions {
  iterations?: number;
  onProgress?: (progress: SearchProgress) => void;
}

function checkIterations(where: string, iterations: number): void {
  if (!Number.isInteger(iterations) || iterations <= 0) throw new ValueError(`${where}: iterations must be a positive integer, got ${iterations}`);
}

/**
 * The lecture's strategy #1, "a very bad idea": draw W = scale·randn(shape) again and again and
 * keep the W with the lowest loss. No gradient is used. On CIFAR-10 it reaches ~15.5% test accuracy.
 */
export class RandomSearch {
  readonly shape: readonly number[];
  readonly scale: number;
  readonly dtype: DType;
  private readonly rng: Rng;

  constructor({ shape, rng, scale = 1e-4, dtype = "float32" }: { shape: readonly number[]; rng: Rng; scale?: number; dtype?: DType }) {
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
  loss: (W: Tensor) => number, start: Tensor,
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
