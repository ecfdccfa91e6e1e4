import { DataFormatError, type DType, Tensor, ValueError, formatShape, fromData } from "@slope/core";
import { Module } from "../module.js";

/*
 * The safetensors format (https://github.com/huggingface/safetensors), which PyTorch's
 * `safetensors.torch.save_file` / `load_file` read and write:
 *
 *   bytes 0..8        N, the header's length: an unsigned 64-bit little-endian integer
 *   bytes 8..8+N      the header: UTF-8 JSON, padded with spaces to a multiple of 8 bytes,
 *                     { "__metadata__"?: { string: string },
 *                       name: { "dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end] }, ... }
 *   bytes 8+N..       the byte buffer: each tensor's elements, row-major and little-endian, at
 *                     [begin, end) relative to the buffer's start; sorted by offset the tensors
 *                     cover the buffer exactly, without gaps or overlaps.
 */

/** The element types a safetensors file may hold that Slope reads; it writes F32, F64 and I64. */
export type SafetensorsDType =
  | "F64"
  | "F32"
  | "F16"
  | "BF16"
  | "I64"
  | "I32"
  | "I16"
  | "I8"
  | "U64"
  | "U32"
  | "U16"
  | "U8"
  | "BOOL";

/**
 * Each readable dtype: its size in bytes and the Slope dtype that holds all its values exactly
 * (float32 for ≤ 24-bit integers and the half floats, float64 for the rest; I64/U64 up to 2⁵³).
 */
const DTYPES: Record<SafetensorsDType, { bytes: number; dtype: DType }> = {
  F64: { bytes: 8, dtype: "float64" },
  F32: { bytes: 4, dtype: "float32" },
  F16: { bytes: 2, dtype: "float32" },
  BF16: { bytes: 2, dtype: "float32" },
  I64: { bytes: 8, dtype: "float64" },
  U64: { bytes: 8, dtype: "float64" },
  I32: { bytes: 4, dtype: "float64" },
  U32: { bytes: 4, dtype: "float64" },
  I16: { bytes: 2, dtype: "float32" },
  U16: { bytes: 2, dtype: "float32" },
  I8: { bytes: 1, dtype: "float32" },
  U8: { bytes: 1, dtype: "float32" },
  BOOL: { bytes: 1, dtype: "float32" },
};

/**
 * The buffers that PyTorch keeps as int64 (BatchNorm's `num_batches_tracked`): a state-dict key whose
 * last dotted part is one of these is written as I64, so that `load_state_dict` in PyTorch gets the
 * dtype it expects. Other keys can be added per call with the `int64Keys` option.
 */
export const INT64_BUFFER_NAMES: ReadonlySet<string> = new Set(["num_batches_tracked"]);

/** Options of `saveSafetensors`. */
export interface SaveSafetensorsOptions {
  /** More state-dict keys to write as I64 (their values must be integers), besides `INT64_BUFFER_NAMES`. */
  int64Keys?: Iterable<string>;
}

const LITTLE_ENDIAN_PLATFORM = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HEADER_ALIGNMENT = 8;
/** Writers order tensors by descending dtype (the Rust crate's enum order: alignment first), then by name. */
const WRITE_ORDER: Record<"I64" | "F64" | "F32", number> = { I64: 0, F64: 1, F32: 2 };

/**
 * The state dict of `moduleOrStateDict` (a Module's `stateDict()`, or named tensors) in the
 * safetensors format, with optional string `metadata` under "__metadata__". float32 tensors are
 * written as F32, float64 as F64, the int64 buffers (see `INT64_BUFFER_NAMES`) as I64. The layout is
 * the safetensors crate's: tensors by descending dtype then by name, header padded to 8 bytes with
 * spaces, so a file of the same tensors is byte for byte what PyTorch's `save_file` writes.
 * Values are copied bit for bit (NaN payloads, −0 and denormals included), little-endian on any platform.
 */
export function saveSafetensors(
  moduleOrStateDict: Module | Record<string, Tensor>,
  metadata?: Record<string, string>,
  options: SaveSafetensorsOptions = {},
): Uint8Array {
  const name = "saveSafetensors";
  const dict = moduleOrStateDict instanceof Module ? moduleOrStateDict.stateDict() : moduleOrStateDict;
  if (dict === null || typeof dict !== "object") {
    throw new ValueError(`${name}: expected a Module or an object of named tensors, got ${describe(dict)}`);
  }
  const int64Keys = new Set(options.int64Keys ?? []);
  const entries = Object.keys(dict).map((key) => {
    const t: unknown = dict[key];
    if (!(t instanceof Tensor)) throw new ValueError(`${name}: "${key}" must be a Tensor, got ${describe(t)}`);
    if (key === "__metadata__") {
      throw new ValueError(`${name}: "__metadata__" is reserved for the metadata and cannot name a tensor`);
    }
    const int64 = int64Keys.has(key) || INT64_BUFFER_NAMES.has(key.slice(key.lastIndexOf(".") + 1));
    const dtype = int64 ? "I64" : t.dtype === "float64" ? "F64" : "F32";
    if (int64) checkIntegers(t, key, name);
    return { key, tensor: t, dtype, encodedKey: utf8.encode(key) } as const;
  });
  entries.sort((a, b) => WRITE_ORDER[a.dtype] - WRITE_ORDER[b.dtype] || compareBytes(a.encodedKey, b.encodedKey));

  const parts: string[] = [];
  if (metadata !== undefined) parts.push(`"__metadata__":${JSON.stringify(checkMetadata(metadata, name))}`);
  let offset = 0;
  /** Where each entry's bytes begin, after the header. */
  const placed: { tensor: Tensor; dtype: SafetensorsDType; start: number }[] = [];
  for (const { key, tensor, dtype } of entries) {
    const size = tensor.size * (dtype === "F32" ? 4 : 8);
    placed.push({ tensor, dtype, start: offset });
    const shape = JSON.stringify(tensor.shape);
    const range = `[${offset},${offset + size}]`;
    parts.push(`${JSON.stringify(key)}:{"dtype":"${dtype}","shape":${shape},"data_offsets":${range}}`);
    offset += size;
  }
  const json = utf8.encode(`{${parts.join(",")}}`);
  const headerLength = Math.ceil(json.length / HEADER_ALIGNMENT) * HEADER_ALIGNMENT;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  placed.forEach(({ tensor, dtype, start: offsetInData }) => {
    const start = 8 + headerLength + offsetInData;
    if (dtype === "I64") {
      for (let j = 0; j < tensor.size; j++) view.setBigInt64(start + 8 * j, BigInt(tensor.data[j]!), true);
    } else {
      out.set(littleEndianBytes(tensor.data), start);
    }
  });
  return out;
}

/**
 * The tensors of a safetensors file by name, in the order of their data. F64 → float64 and F32 →
 * float32 bit for bit; F16, BF16, I8, U8, I16, U16 and BOOL (0/1) → float32 and I32, U32, I64, U64 →
 * float64, all exactly (an I64/U64 value beyond ±2⁵³ is a DataFormatError). The whole file is checked
 * before anything is returned: a truncated or malformed file is a DataFormatError saying what was
 * expected and what came, never a partial result.
 */
export function loadSafetensors(bytes: Uint8Array | ArrayBuffer): Record<string, Tensor> {
  const { tensors, buffer } = readHeader(bytes, "loadSafetensors");
  const out: Record<string, Tensor> = {};
  for (const info of tensors) {
    const data = decode(buffer.subarray(info.begin, info.end), info.dtype, info.name);
    defineEntry(out, info.name, fromData(data, info.shape));
  }
  return out;
}

/** The "__metadata__" of a safetensors file ({} when it has none); the header is checked as `loadSafetensors` does. */
export function safetensorsMetadata(bytes: Uint8Array | ArrayBuffer): Record<string, string> {
  return readHeader(bytes, "safetensorsMetadata").metadata;
}

interface TensorInfo {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  begin: number;
  end: number;
}

// TextEncoder and TextDecoder are globals in browsers and Node; the packages' lib (ES2022) does not declare them.
declare const TextEncoder: new () => { encode(text: string): Uint8Array };
declare const TextDecoder: new (
  label: string,
  options: { fatal: boolean; ignoreBOM: boolean },
) => { decode(bytes: Uint8Array): string };
const utf8 = new TextEncoder();

/** Parses and checks the header and the layout of the buffer against it; returns the tensors sorted by offset. */
/** A file's header, checked against its data. */
interface Header {
  /** The tensors sorted by their offsets. */
  tensors: TensorInfo[];
  metadata: Record<string, string>;
  /** The bytes after the header, which data_offsets count from. */
  buffer: Uint8Array;
}

function readHeader(input: Uint8Array | ArrayBuffer, where: string): Header {
  const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : input;
  if (!(bytes instanceof Uint8Array)) {
    throw new ValueError(`${where}: expected a Uint8Array or ArrayBuffer, got ${describe(input)}`);
  }
  const fail: (message: string) => never = (message) => {
    throw new DataFormatError(`${where}: not a valid safetensors file: ${message}`);
  };
  if (bytes.length < 8) fail(`expected at least 8 bytes (the header length), got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLength > bytes.length - 8) {
    const rest = bytes.length - 8;
    fail(`the header length is ${headerLength} bytes but only ${rest} bytes follow the length field (truncated file?)`);
  }
  const headerBytes = bytes.subarray(8, 8 + headerLength);
  const firstByte = headerBytes[0];
  if (firstByte !== 0x7b) {
    const first = firstByte === undefined ? "an empty header" : `byte 0x${firstByte.toString(16)}`;
    fail(`expected the header to start with "{", got ${first}`);
  }
  let text = "";
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(headerBytes);
  } catch {
    fail("the header is not valid UTF-8");
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    fail(`the header is not valid JSON (${(error as Error).message})`);
  }
  // (valid JSON that starts with "{" is an object)
  const duplicate = findDuplicateKey(text);
  if (duplicate !== null) fail(`duplicate key ${JSON.stringify(duplicate)} in the header`);

  const buffer = bytes.subarray(8 + headerLength);
  let metadata: Record<string, string> = {};
  const tensors: TensorInfo[] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (entry === null) continue;
      if (typeof entry !== "object" || Array.isArray(entry)) {
        fail(`expected "__metadata__" to be an object of strings, got ${JSON.stringify(entry)}`);
      }
      for (const [key, value] of Object.entries(entry as object)) {
        if (typeof value !== "string") {
          fail(`expected metadata values to be strings, got ${JSON.stringify(value)} for ${JSON.stringify(key)}`);
        }
      }
      metadata = entry as Record<string, string>;
      continue;
    }
    const what = `tensor ${JSON.stringify(name)}`;
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
      fail(`expected ${what} to be an object {dtype, shape, data_offsets}, got ${JSON.stringify(entry)}`);
    }
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    if (typeof dtype !== "string" || !Object.hasOwn(DTYPES, dtype)) {
      fail(`${what} has dtype ${JSON.stringify(dtype)}; expected one of ${Object.keys(DTYPES).join(", ")}`);
    }
    if (!Array.isArray(shape) || !shape.every(isIndex)) {
      fail(`${what} has shape ${JSON.stringify(shape)}; expected an array of non-negative integers`);
    }
    const [begin, end] = Array.isArray(offsets) && offsets.length === 2 ? offsets : [];
    if (!isIndex(begin) || !isIndex(end) || begin > end) {
      fail(`${what} has data_offsets ${JSON.stringify(offsets)}; expected [begin, end] with 0 ≤ begin ≤ end`);
    }
    const info: TensorInfo = { name, dtype: dtype as SafetensorsDType, shape: shape as number[], begin, end };
    const expected = info.shape.reduce((n, d) => n * d, 1) * DTYPES[info.dtype].bytes;
    if (expected !== info.end - info.begin) {
      fail(
        `${what} of dtype ${info.dtype} and shape ${formatShape(info.shape)} needs ${expected} bytes, ` +
          `but its data_offsets [${begin}, ${end}] span ${end - begin}`,
      );
    }
    tensors.push(info);
  }
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const info of tensors) {
    if (info.begin !== cursor) {
      const problem = info.begin < cursor ? "overlaps the previous tensor" : "leaves a gap after the previous tensor";
      const tensor = `tensor ${JSON.stringify(info.name)}`;
      fail(`${tensor} starts at byte ${info.begin} of the data but the previous one ends at ${cursor}: it ${problem}`);
    }
    cursor = info.end;
  }
  if (cursor !== buffer.length) {
    const hint = cursor > buffer.length ? " (truncated file?)" : "";
    fail(`the tensors' data_offsets cover ${cursor} bytes but ${buffer.length} bytes of data follow the header${hint}`);
  }
  return { tensors, metadata, buffer };
}

/** The elements of one tensor, decoded from little-endian bytes. */
function decode(bytes: Uint8Array, dtype: SafetensorsDType, name: string): Float32Array | Float64Array {
  const { bytes: size, dtype: target } = DTYPES[dtype];
  const n = bytes.length / size;
  if (dtype === "F32" || dtype === "F64") {
    const copy = new Uint8Array(bytes); // a fresh, aligned copy (a Node Buffer's slice() would be a view of a shared pool)
    if (!LITTLE_ENDIAN_PLATFORM) swapBytesInPlace(copy, size);
    return dtype === "F32" ? new Float32Array(copy.buffer) : new Float64Array(copy.buffer);
  }
  const out = target === "float32" ? new Float32Array(n) : new Float64Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) {
    const at = i * size;
    switch (dtype) {
      case "F16":
        out[i] = halfToNumber(view.getUint16(at, true));
        break;
      case "BF16":
        out[i] = bfloat16ToNumber(view.getUint16(at, true));
        break;
      case "I64":
        out[i] = exactInteger(view.getBigInt64(at, true), name, i);
        break;
      case "U64":
        out[i] = exactInteger(view.getBigUint64(at, true), name, i);
        break;
      case "I32":
        out[i] = view.getInt32(at, true);
        break;
      case "U32":
        out[i] = view.getUint32(at, true);
        break;
      case "I16":
        out[i] = view.getInt16(at, true);
        break;
      case "U16":
        out[i] = view.getUint16(at, true);
        break;
      case "I8":
        out[i] = view.getInt8(at);
        break;
      case "U8":
        out[i] = view.getUint8(at);
        break;
      case "BOOL":
        out[i] = view.getUint8(at) === 0 ? 0 : 1;
        break;
    }
  }
  return out;
}

/** An I64/U64 element as a number, when it is one exactly (|v| ≤ 2⁵³). */
function exactInteger(value: bigint, name: string, index: number): number {
  const limit = 2n ** 53n;
  if (value > limit || value < -limit) {
    throw new DataFormatError(
      `loadSafetensors: tensor ${JSON.stringify(name)} holds ${value} at index ${index}; ` +
        "a 64-bit integer is read exactly only up to ±2^53",
    );
  }
  return Number(value);
}

/** IEEE 754 binary16 bits → number: sign, 5 exponent bits (bias 15), 10 fraction bits; subnormals, ±∞ and NaN. */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** bfloat16 bits → number: the upper half of a float32. */
function bfloat16ToNumber(bits: number): number {
  scratch.setUint32(0, bits << 16, true);
  return scratch.getFloat32(0, true);
}
const scratch = new DataView(new ArrayBuffer(4));

/** A float tensor's bytes in little-endian order (its own memory on a little-endian platform). */
function littleEndianBytes(data: Float32Array | Float64Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (LITTLE_ENDIAN_PLATFORM) return bytes;
  const copy = new Uint8Array(bytes); // a fresh, aligned copy (a Node Buffer's slice() would be a view of a shared pool)
  swapBytesInPlace(copy, data.BYTES_PER_ELEMENT);
  return copy;
}

/** Reverses the bytes of each `size`-byte element (big-endian ↔ little-endian). */
function swapBytesInPlace(bytes: Uint8Array, size: number): void {
  for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
}

/**
 * The first key that appears twice in one object of a (valid) JSON text, or null. JSON.parse keeps
 * the last silently; the safetensors crate rejects such a header, and so do we.
 */
function findDuplicateKey(json: string): string | null {
  const keys: (Set<string> | null)[] = []; // one entry per open container: its keys (objects) or null (arrays)
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let j = i + 1;
      while (json[j] !== '"') j += json[j] === "\\" ? 2 : 1;
      const container = keys[keys.length - 1];
      if (expectKey && container) {
        const key = JSON.parse(json.slice(i, j + 1)) as string;
        if (container.has(key)) return key;
        container.add(key);
      }
      expectKey = false;
      i = j;
    } else if (c === "{") {
      keys.push(new Set());
      expectKey = true;
    } else if (c === "[") {
      keys.push(null);
    } else if (c === "}" || c === "]") {
      keys.pop();
    } else if (c === ",") {
      expectKey = keys[keys.length - 1] instanceof Set;
    }
  }
  return null;
}

function isIndex(x: unknown): x is number {
  return typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function checkIntegers(t: Tensor, key: string, where: string): void {
  for (let i = 0; i < t.size; i++) {
    const v = t.data[i]!;
    if (!Number.isInteger(v) || Math.abs(v) >= 2 ** 63) {
      throw new ValueError(`${where}: "${key}" is written as I64 (PyTorch's int64) but holds ${v} at index ${i}`);
    }
  }
}

function checkMetadata(metadata: Record<string, string>, where: string): Record<string, string> {
  if (metadata === null || typeof metadata !== "object") {
    throw new ValueError(`${where}: metadata must be an object of strings, got ${describe(metadata)}`);
  }
  const out: Record<string, string> = {};
  for (const key of Object.keys(metadata).sort()) {
    const value: unknown = metadata[key];
    if (typeof value !== "string") {
      throw new ValueError(`${where}: metadata values must be strings, got ${describe(value)} for "${key}"`);
    }
    defineEntry(out, key, value);
  }
  return out;
}

/** out[key] = value as an own property, even for a key such as "__proto__". */
function defineEntry<T>(out: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return (value as object).constructor?.name ?? "an object";
  return typeof value;
}
