import { DEFAULT_DTYPE, type DType } from "../dtype.js";
import { DTypeError } from "../errors.js";
import type { StridedOperand } from "../kernels/index.js";
import { type Tensor, checkTensor } from "../tensor.js";
import { scalar } from "../create.js";

/** Where a tensor is expected, a plain number is accepted too (it becomes a scalar of the other operand's dtype). */
export type Operand = Tensor | number;

/** Throws a DTypeError unless every tensor has the same dtype; returns that dtype. */
export function commonDType(where: string, ...tensors: Tensor[]): DType {
  const dtype = tensors[0]?.dtype ?? DEFAULT_DTYPE;
  for (const t of tensors) {
    if (t.dtype !== dtype) {
      throw new DTypeError(
        `${where}: dtypes differ: ${tensors.map((x) => x.dtype).join(" and ")} (cast one explicitly with cast(t, "${dtype}"))`,
      );
    }
  }
  return dtype;
}

/** Turns numbers into scalars of the tensors' dtype and checks that the tensors agree on one. */
export function toTensors(where: string, ...operands: Operand[]): Tensor[] {
  const tensors: Tensor[] = [];
  for (const [i, x] of operands.entries()) {
    if (typeof x !== "number") tensors.push(checkTensor(x, where, `operand ${i + 1}`));
  }
  const dtype = commonDType(where, ...tensors);
  return operands.map((x) => (typeof x === "number" ? scalar(x, dtype) : x));
}

/** `t` laid over the (broadcast) output `shape`: stride 0 along the dimensions it is broadcast over. */
export function broadcastView(t: Tensor, shape: readonly number[]): StridedOperand {
  const rank = shape.length;
  const strides = new Array<number>(rank).fill(0);
  const offset = rank - t.shape.length;
  for (let d = 0; d < t.shape.length; d++) strides[offset + d] = t.shape[d] === 1 ? 0 : t.strides[d]!;
  return { data: t.data, strides };
}
