import { DTypeError } from "./errors.js";

/** The element types Slope computes in. Training defaults to float32; gradient checks use float64. */
export type DType = "float32" | "float64";

/** The storage behind a tensor: contiguous, row-major. */
export type FloatArray = Float32Array | Float64Array;

/** The dtype used when none is given. */
export const DEFAULT_DTYPE: DType = "float32";

/** The dtype of a typed array. */
export function dtypeOf(array: FloatArray): DType {
  return array instanceof Float64Array ? "float64" : "float32";
}

/** Throws unless `dtype` is one Slope knows. */
export function checkDType(dtype: unknown, where: string): DType {
  if (dtype !== "float32" && dtype !== "float64") {
    throw new DTypeError(`${where}: dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
  }
  return dtype;
}
