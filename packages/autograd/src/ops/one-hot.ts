import * as core from "@slope/core";
import * as internal from "@slope/core/internal";

/**
 * The rows of the identity picked by `labels`: a tensor [labels.length, numClasses] with a 1 at
 * (i, labels[i]) and 0 elsewhere (torch.nn.functional.one_hot, as floats). A constant, not a Var:
 * nothing flows back to labels. A label outside [0, numClasses) is an IndexError.
 */
export function oneHot(
  labels: ArrayLike<number>,
  numClasses: number,
  options: { dtype?: core.DType } = {},
): core.Tensor {
  const { dtype = "float32" } = internal.checkOptions(options, ["dtype"], "oneHot");
  if (!Number.isInteger(numClasses) || numClasses <= 0) {
    throw new core.ValueError(`oneHot: numClasses must be a positive integer, got ${numClasses}`);
  }
  if (labels === null || typeof labels !== "object" || typeof labels.length !== "number") {
    const got = labels === null ? "null" : typeof labels;
    throw new core.ValueError(`oneHot: labels must be an array of class indices, got ${got}`);
  }
  const n = labels.length;
  for (let i = 0; i < n; i++) {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new core.IndexError(`oneHot: label ${label} at index ${i} is outside [0, ${numClasses})`);
    }
  }
  const column = core.tensor(Array.from(labels), { dtype, shape: [n, 1] });
  // (i, j) is 1 where labels[i] = j: a broadcast comparison of a column with a row.
  return core.equal(column, core.arange(0, numClasses, 1, { dtype }));
}
