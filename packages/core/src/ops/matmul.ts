import { allocateOutput } from "../buffers.js";
import { ShapeError, ValueError, formatShape } from "../errors.js";
import { checkOptions } from "../options.js";
import { kernels } from "../kernels/index.js";
import { Tensor, checkTensor } from "../tensor.js";
import { commonDType } from "./operands.js";

/** Which operands `matmul` reads transposed (never materialising the transpose). */
export interface MatmulOptions {
  /** Read a as aᵀ (off by default). */
  transposeA?: boolean;
  /** Read b as bᵀ (off by default). */
  transposeB?: boolean;
}

/**
 * The matrix product C = op(A)·op(B), Cᵢⱼ = Σₚ op(A)ᵢₚ op(B)ₚⱼ, where op transposes the last two
 * axes when asked. 2-D operands give a matrix; 3-D operands are batches of matrices, and a
 * batch of 1 (or a 2-D operand) is broadcast over the other's batch.
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  checkTensor(a, "matmul", "a");
  checkTensor(b, "matmul", "b");
  const dtype = commonDType("matmul", a, b);
  const { transposeA = false, transposeB = false } = checkOptions(options, ["transposeA", "transposeB"], "matmul");
  if (typeof transposeA !== "boolean" || typeof transposeB !== "boolean") {
    throw new ValueError(
      `matmul: transposeA and transposeB must be booleans, got ${String(transposeA)} and ` + String(transposeB),
    );
  }
  for (const [name, t] of [
    ["a", a],
    ["b", b],
  ] as const) {
    if (t.rank !== 2 && t.rank !== 3) {
      throw new ShapeError(`matmul: expected 2-D or 3-D operands, got ${name} of shape ${formatShape(t.shape)}`);
    }
  }
  const [ar, ac] = a.shape.slice(-2) as [number, number];
  const [br, bc] = b.shape.slice(-2) as [number, number];
  const [m, k] = transposeA ? [ac, ar] : [ar, ac];
  const [kb, n] = transposeB ? [bc, br] : [br, bc];
  if (k !== kb) {
    const show = (t: Tensor, transposed: boolean) => formatShape(t.shape) + (transposed ? "ᵀ" : "");
    throw new ShapeError(
      `matmul: inner dimensions differ: ${show(a, transposeA)} · ${show(b, transposeB)} (${k} vs ${kb})`,
    );
  }
  const batchA = a.rank === 3 ? a.shape[0]! : 1;
  const batchB = b.rank === 3 ? b.shape[0]! : 1;
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) {
    throw new ShapeError(
      `matmul: batch dimensions differ: ${formatShape(a.shape)} · ${formatShape(b.shape)} (${batchA} vs ${batchB})`,
    );
  }
  const batch = Math.max(batchA, batchB);
  const out = allocateOutput(dtype, batch * m * n);
  const kernel = kernels();
  for (let i = 0; i < batch; i++) {
    kernel.matmul(
      out,
      i * m * n,
      a.data,
      batchA === 1 ? 0 : i * m * k,
      b.data,
      batchB === 1 ? 0 : i * k * n,
      m,
      k,
      n,
      transposeA,
      transposeB,
    );
  }
  return new Tensor(out, a.rank === 3 || b.rank === 3 ? [batch, m, n] : [m, n]);
}
