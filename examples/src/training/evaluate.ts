import { type Tensor, argmax, matmul, slice } from "@slope/core";

/**
 * The fraction of rows of X whose highest score is the label, (1/N) Σ 1(argmax score(xᵢ) = yᵢ),
 * scoring `chunk` rows at a time.
 */
export function accuracyOf(score: (rows: Tensor) => Tensor, X: Tensor, y: ArrayLike<number>, chunk = 4096): number {
  const n = X.shape[0]!;
  if (n === 0) return NaN;
  let correct = 0;
  for (let start = 0; start < n; start += chunk) {
    const rows = Math.min(chunk, n - start);
    const predicted = argmax(score(slice(X, [start, 0], [rows, -1])), 1).data;
    for (let i = 0; i < rows; i++) if (predicted[i] === y[start + i]) correct++;
  }
  return correct / n;
}

/** The linear classifier's accuracy: scores X·W. */
export function accuracy(X: Tensor, W: Tensor, y: ArrayLike<number>): number {
  return accuracyOf((rows) => matmul(rows, W), X, y);
}
