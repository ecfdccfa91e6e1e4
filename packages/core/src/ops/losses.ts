import { allocate } from "../buffers.js";
import { IndexError, ShapeError, ValueError, formatShape } from "../errors.js";
import { kernels } from "../kernels/index.js";
import { Tensor, checkTensor } from "../tensor.js";

/** Class labels, one per row: a plain array or an integer typed array. */
export type Labels = readonly number[] | Int32Array | Uint8Array | Uint16Array | Uint32Array | Int16Array | Int8Array;

/**
 * Checks labels against scores [n, c]: one label per row, each an integer in [0, c). The message
 * names the first bad index and its value.
 */
export function checkLabels(labels: Labels, scores: Tensor, where: string): void {
  checkTensor(scores, where, "scores");
  if (scores.rank !== 2)
    throw new ShapeError(`${where}: scores must be 2-D [batch, classes], got ${formatShape(scores.shape)}`);
  if (labels === null || typeof labels !== "object" || typeof labels.length !== "number") {
    throw new ValueError(
      `${where}: labels must be an array, Int32Array or Uint8Array, got ${labels === null ? "null" : typeof labels}`,
    );
  }
  const [n, c] = scores.shape as [number, number];
  if (labels.length !== n)
    throw new ShapeError(
      `${where}: expected ${n} labels (one per row of scores ${formatShape(scores.shape)}), got ${labels.length}`,
    );
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= c)
      throw new IndexError(`${where}: label ${y} at index ${i} is outside [0, ${c})`);
  }
}

/** Mean softmax cross-entropy of rows of `scores` and the softmax probabilities (for the gradient (p − onehot(y))/N). */
export function softmaxCrossEntropyForward(
  scores: Tensor,
  labels: Labels,
): {
  /** L = (1/N) Σᵢ −log pᵢ,yᵢ (NaN for no rows). */
  loss: number;
  /** p = softmax(scores) row by row, the shape of scores. */
  probs: Tensor;
} {
  checkLabels(labels, scores, "softmaxCrossEntropy");
  const [n, c] = scores.shape as [number, number];
  const probs = allocate(scores.dtype, n * c);
  const total = n === 0 ? 0 : kernels().softmaxCrossEntropy(probs, scores.data, labels, n, c);
  return { loss: n === 0 ? NaN : total / n, probs: new Tensor(probs, scores.shape) };
}

/** Mean multiclass hinge loss of rows of `scores` and its subgradient coefficients (before dividing by N). */
export function multiclassHingeForward(
  scores: Tensor,
  labels: Labels,
  delta: number,
): {
  /** L = (1/N) Σᵢ Σ_{j≠yᵢ} max(0, sⱼ − s_yᵢ + Δ) (NaN for no rows). */
  loss: number;
  /** ∂Lᵢ/∂sᵢⱼ: 1 where the margin sⱼ − s_yᵢ + Δ is positive (j ≠ yᵢ), minus their count at j = yᵢ. */
  coefficients: Tensor;
} {
  checkLabels(labels, scores, "svmLoss");
  if (!Number.isFinite(delta)) throw new ValueError(`svmLoss: delta must be a finite number, got ${delta}`);
  const [n, c] = scores.shape as [number, number];
  const coefficients = allocate(scores.dtype, n * c);
  const total = n === 0 ? 0 : kernels().multiclassHinge(coefficients, scores.data, labels, n, c, delta);
  return { loss: n === 0 ? NaN : total / n, coefficients: new Tensor(coefficients, scores.shape) };
}
