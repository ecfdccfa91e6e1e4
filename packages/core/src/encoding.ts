import { type DType, type FloatArray, dtypeOf } from "./dtype.js";
import { DataFormatError, ValueError } from "./errors.js";

/** A typed array as plain JSON: its dtype, length and bytes in base64 (exact: −0, NaN and ±∞ survive). */
export interface EncodedArray {
  /** The array's dtype. */
  dtype: DType;
  /** The number of elements. */
  length: number;
  /** The elements' bytes (little-endian), in base64. */
  base64: string;
}

// Global in every browser and in Node ≥ 16; declared here so the package needs neither DOM nor Node typings.
declare function btoa(binary: string): string;
declare function atob(base64: string): string;

const CHUNK = 0x8000;

/** Encodes the bytes of a float array (little-endian, as typed arrays are on every platform Slope runs on). */
export function encodeArray(array: FloatArray): EncodedArray {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  let binary = "";
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return { dtype: dtypeOf(array), length: array.length, base64: btoa(binary) };
}

/** Decodes what `encodeArray` wrote, checking that the length and dtype agree. */
export function decodeArray(encoded: EncodedArray): FloatArray {
  if (!encoded || typeof encoded.base64 !== "string")
    throw new ValueError("decodeArray: expected { dtype, length, base64 }");
  const bytes = decodeBase64(encoded.base64);
  const array = encoded.dtype === "float64" ? new Float64Array(bytes.buffer) : new Float32Array(bytes.buffer);
  if (array.length !== encoded.length) {
    throw new ValueError(
      `decodeArray: expected ${encoded.length} ${encoded.dtype} values, the data holds ${array.length}`,
    );
  }
  return array;
}

/** The bytes of a base64 string (atob: no Buffer, so it runs in browsers too). */
export function decodeBase64(base64: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(base64);
  } catch {
    const shown = typeof base64 === "string" ? `${base64.length} characters` : typeof base64;
    throw new DataFormatError(`decodeBase64: expected base64 text, got ${shown} that are not base64`);
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
