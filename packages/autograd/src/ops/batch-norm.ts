import type * as core from "@slope/core";
import * as internal from "@slope/core/internal";
import { GraphError } from "../backward.js";
import { type Var, type VarLike, isRecording, record, toVar } from "../var.js";

/** Options of `batchNorm` (torch.nn.functional.batch_norm's). */
export interface BatchNormOptions {
  /** Batch statistics (and running-statistic updates) when true; the running statistics when false. */
  training: boolean;
  /** running = (1 − momentum)·running + momentum·batch statistic, any number in [0, 1]. Default 0.1. */
  momentum?: number;
  /** Added to the variance under the square root. Default 1e-5. */
  eps?: number;
}

/**
 * A gradient computed on tensors by a fused kernel, as a Var. Outside `createGraph` it is a constant; inside,
 * a node whose own backward throws, so that a second derivative through a first-order node fails loudly
 * instead of coming out silently zero.
 */
export function firstOrderGradient(t: core.Tensor, op: string, inputs: readonly Var[]): Var {
  if (!isRecording()) return toVar(t);
  return record(`${op}Backward`, t, inputs, () => {
    throw new GraphError(`${op} is differentiable once only (its gradient is a fused kernel): no second derivative`);
  });
}

/**
 * Batch normalization of x [N, C] or [N, C, *] (BatchNorm1d on [N, C, L], BatchNorm2d on [N, C, H, W]), per
 * channel c over every axis but 1 (n = N·∏* values):
 *   x̂ = (x − μ)·inv,  inv = 1/√(σ² + ε),  y = γ·x̂ + β
 * Training: μ and the biased σ² are the batch's, and `runningMean`/`runningVar` (when given) are updated in
 * place: running_mean ← (1 − m)·running_mean + m·μ,
 *        running_var  ← (1 − m)·running_var + m·σ²·n/(n − 1)   (the unbiased batch variance).
 * Eval: μ and σ² are the running tensors, which are then required. γ (`weight`) and β (`bias`) of shape [C]
 * default to 1 and 0.
 * One fused node; with g = ∂L/∂y, per channel:
 *   ∂L/∂γ = Σ g·x̂,   ∂L/∂β = Σ g,
 *   ∂L/∂x = (1/n)·γ·inv·(n·g − Σg − x̂·Σ(g·x̂))   (training: μ and σ² depend on x)
 *   ∂L/∂x = g·γ·inv                             (eval)
 * The gradient is computed by core kernels, so batchNorm is first-order only: differentiating its gradient
 * again (grad(grad(f))) throws a GraphError.
 */
export function batchNorm(
  input: VarLike,
  runningMean: core.Tensor | null,
  runningVar: core.Tensor | null,
  weight: VarLike | null,
  bias: VarLike | null,
  options: BatchNormOptions,
): Var {
  const x = toVar(input);
  const gamma = weight === null || weight === undefined ? null : toVar(weight, x.dtype);
  const beta = bias === null || bias === undefined ? null : toVar(bias, x.dtype);
  const training = options?.training;
  const inputs = [x, gamma, beta].filter((v): v is Var => v !== null);
  const saveNormalized = isRecording() && inputs.some((v) => v.requiresGrad);
  const { output, normalized, invStd } = internal.batchNormForward(
    x.value,
    runningMean ?? null,
    runningVar ?? null,
    gamma?.value ?? null,
    beta?.value ?? null,
    { ...options, saveNormalized },
  );
  return record(
    "batchNorm",
    output,
    inputs,
    (g, _, needs) => {
      let k = 1;
      const needsWeight = gamma !== null && needs[k++]!;
      const needsBias = beta !== null && needs[k]!;
      const grads = internal.batchNormBackward(g.value, normalized!, invStd, gamma?.value ?? null, {
        training,
        needs: [needs[0]!, needsWeight, needsBias],
      });
      const through = [g, ...inputs];
      const result: (Var | null)[] = [grads.dx && firstOrderGradient(grads.dx, "batchNorm", through)];
      if (gamma !== null) result.push(grads.dWeight && firstOrderGradient(grads.dWeight, "batchNorm", through));
      if (beta !== null) result.push(grads.dBias && firstOrderGradient(grads.dBias, "batchNorm", through));
      return result;
    },
    { training, momentum: options?.momentum ?? 0.1, eps: options?.eps ?? 1e-5 },
  );
}
