import { type Tensor, argmax, matmul, slice } from "@slope/core";

/** The fraction of rows of X whose highest score in X·W is the label: (1/N) Σ 1(argmax(xᵢW) = yᵢ). */
export function accuracy(X: Tensor, W: Tensor, y: ArrayLike<number>, chunk = 4096): number {
  const n = X.shape[0]!;
  if (n === 0) return NaN;
  let correct = 0;
  for (let start = 0; start < n; start += chunk) {
    const rows = Math.min(chunk, n - start);
    const predicted = argmax(matmul(slice(X, [start, 0], [rows, -1]), W), 1).data;
    for (let i = 0; i < rows; i++) if (predicted[i] === y[start + i]) correct++;
  }
  return correct / n;
}
