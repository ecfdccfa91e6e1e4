import * as core from "@slope/core";
import * as internal from "@slope/core/internal";
import { type Var, type VarLike, isRecording, record, toVar } from "../var.js";
import { mul } from "../ops/mul.js";
import { softmax } from "../ops/softmax.js";
import { sub } from "../ops/sub.js";
import { div } from "../ops/div.js";

/** One-hot rows [N, C]: 1 at each row's label. */
function oneHot(labels: core.Labels, shape: readonly number[], dtype: core.DType): core.Tensor {
  const out = core.zeros(shape, { dtype });
  const c = shape[1]!;
  for (let i = 0; i < labels.length; i++) out.data[i * c + labels[i]!] = 1;
  return out;
}

/**
 * The softmax (cross-entropy) loss, averaged over the batch, with the max shift so it never overflows:
 *   L = (1/N) Σᵢ −log softmax(sᵢ)_{yᵢ} = (1/N) Σᵢ (log Σⱼ e^{sᵢⱼ − mᵢ} − (s_{i,yᵢ} − mᵢ)),  mᵢ = maxⱼ sᵢⱼ
 * and its gradient ∂L/∂s = (p − onehot(y)) / N with p = softmax(s) row-wise. When the gradient is
 * itself being differentiated, p is rebuilt from differentiable ops (∂p/∂s = diag(p) − ppᵀ).
 */
export function softmaxCrossEntropy(scores: VarLike, labels: core.Labels): Var {
  const s = toVar(scores);
  const { loss, probs } = internal.softmaxCrossEntropyForward(s.value, labels);
  const n = s.shape[0]!;
  return record("softmaxCrossEntropy", core.scalar(loss, s.dtype), [s], (g) => {
    const target = oneHot(labels, s.shape, s.dtype);
    const p = isRecording() ? softmax(s, -1) : probs;
    return [mul(g, div(sub(p, target), n))];
  });
}
