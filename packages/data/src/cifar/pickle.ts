import { DataFormatError, ValueError } from "@slope/core";
import { checkOptions } from "../options.js";
import { IMAGE_BYTES, type LabeledImages } from "./format.js";

/**
 * A reader for the subset of Python's pickle format that the CIFAR python batches use (protocol
 * 2, as written by cPickle, and protocols 3–4 as written by Python 3): dicts, lists, tuples,
 * strings and bytes, ints, and numpy arrays (numpy.core.multiarray._reconstruct + BUILD).
 * Anything else is refused; nothing is ever executed.
 *
 * What it builds is bounded by what a CIFAR batch of that size can hold, so a crafted file cannot
 * make it use more than a small multiple of its own size in memory or time:
 * - every opcode does amortised O(1) work beyond reading its bytes (MARK positions are kept on a
 *   stack of their own, lists grow one item at a time, nothing recurses, a name line is looked for
 *   in its first 257 bytes only), so time is linear in the file;
 * - a primitive (an int, None, a bool, a MARK) costs one stack or list slot per opcode byte, at most;
 * - objects (strings, bytes, lists, dicts, tuples, numpy descriptions), list items, memo entries
 *   and dict entries are counted together, and the stack's depth on its own: a batch of N images
 *   (N·3,072 bytes or more) holds about 5N of them (two or three label lists, the file names and
 *   their memo entries), so at most `4096 + 8·⌊bytes / 3072⌋` are allowed; at most 1,024
 *   containers (a batch has a dict, a few lists and the tuples of one numpy array), MARKs nested
 *   64 deep, and no more bytes made by `_codecs.encode` than the file holds.
 * A file past a bound is refused with a DataFormatError naming the offset.
 */

/** A numpy array as the pickle describes it. */
interface NumpyArray {
  kind: "ndarray";
  shape: number[];
  dtype: string;
  data: Uint8Array | null;
}
interface Global {
  kind: "global";
  name: string;
}
interface NumpyDtype {
  kind: "dtype";
  name: string;
}
interface Tuple {
  kind: "tuple";
  items: Value[];
}
type Value =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | Value[]
  | Map<string, Value>
  | NumpyArray
  | Global
  | NumpyDtype
  | Tuple;

const MARK = Symbol("mark");

/** Containers a CIFAR batch needs: one dict, its lists, the tuples and descriptions of one numpy array. */
const MAX_CONTAINERS = 1024;
/** The longest dict key, module or class name accepted (CIFAR's are a few dozen characters). */
const MAX_NAME = 256;
/** MARKs open at once (a CIFAR batch nests three). */
const MAX_MARKS = 64;

const latin1 = (bytes: Uint8Array) => {
  let s = "";
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
};

const isTuple = (v: unknown): v is Tuple => typeof v === "object" && v !== null && (v as Tuple).kind === "tuple";

/**
 * Parses pickle bytes into plain values; `file` names the source in errors. Bad, truncated or
 * oversized input (see the bounds above) is a DataFormatError naming the byte offset.
 */
export function unpickle(bytes: Uint8Array, file = "<buffer>"): Value {
  if (!(bytes instanceof Uint8Array)) {
    throw new DataFormatError(`${file}: expected the bytes of a pickle (a Uint8Array)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: (Value | typeof MARK)[] = [];
  /** Positions in `stack` of its MARKs, innermost last. */
  const marks: number[] = [];
  const memo = new Map<number, Value>();
  const maxObjects = 4096 + 8 * Math.floor(bytes.length / IMAGE_BYTES);
  let objects = 0,
    containers = 0;
  /** Bytes made by _codecs.encode: at most the file's size (a memoised string can be encoded again and again). */
  let encoded = 0;
  let at = 0,
    start = 0;
  const fail: (what: string) => never = (what) => {
    throw new DataFormatError(`${file}: ${what} at byte offset ${start}`);
  };
  const need = (n: number) => {
    if (at + n > bytes.length) fail(`truncated pickle (needed ${n} more bytes)`);
  };
  const u8 = () => {
    need(1);
    return bytes[at++]!;
  };
  const u16 = () => {
    need(2);
    const v = view.getUint16(at, true);
    at += 2;
    return v;
  };
  const u32 = () => {
    need(4);
    const v = view.getUint32(at, true);
    at += 4;
    return v;
  };
  const take = (n: number) => {
    need(n);
    const v = bytes.subarray(at, at + n);
    at += n;
    return v;
  };
  const line = () => {
    const end = bytes.subarray(at, at + MAX_NAME + 1).indexOf(10) + at; // bounded: never a scan of the whole file
    if (end < at) fail(`a name line longer than ${MAX_NAME} bytes or unterminated`);
    const s = latin1(bytes.subarray(at, end));
    at = end + 1;
    return s;
  };
  /** Counts one more object built; past what a CIFAR batch of this size holds, the file is refused. */
  const built = <T>(v: T, container = false): T => {
    if (++objects > maxObjects) fail(`more than ${maxObjects} objects in ${bytes.length} bytes: not a CIFAR batch`);
    if (container && ++containers > MAX_CONTAINERS) fail(`more than ${MAX_CONTAINERS} containers: not a CIFAR batch`);
    return v;
  };
  const push = (v: Value) => {
    if (stack.length >= maxObjects) {
      fail(`a stack deeper than ${maxObjects} in ${bytes.length} bytes: not a CIFAR batch`);
    }
    stack.push(v);
  };
  /** The stack is empty, or its top is a MARK: nothing to pop. */
  const atMark = () => stack.length === 0 || (marks.length > 0 && marks[marks.length - 1] === stack.length - 1);
  const pop = (): Value => {
    if (atMark()) fail("stack underflow");
    return stack.pop() as Value;
  };
  const top = (): Value => {
    if (atMark()) fail("stack underflow");
    return stack[stack.length - 1] as Value;
  };
  const popMark = (): Value[] => {
    const i = marks.pop();
    if (i === undefined) fail("no MARK on the stack");
    const items = stack.splice(i) as Value[];
    items.shift();
    return items;
  };
  const key = (value: Value): string => {
    if (typeof value === "string" && value.length <= MAX_NAME) return value;
    if (value instanceof Uint8Array && value.length <= MAX_NAME) return latin1(value);
    return fail("a dict key or name that is not a short string");
  };
  const list = (): Value[] => {
    const v = top();
    if (!Array.isArray(v)) fail("APPEND to something that is not a list");
    return v as Value[];
  };
  const dict = (): Map<string, Value> => {
    const v = top();
    if (!(v instanceof Map)) fail("SETITEM on something that is not a dict");
    return v as Map<string, Value>;
  };
  const setItem = (d: Map<string, Value>, k: Value, v: Value) => {
    const name = key(k);
    if (!d.has(name)) built(null);
    d.set(name, v);
  };
  const memoize = (k: number) => {
    if (!memo.has(k)) built(null);
    memo.set(k, top());
  };
  const recall = (k: number) => {
    const v = memo.get(k);
    if (v === undefined) fail(`memo ${k} unset`);
    else push(v);
  };
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  const text = (b: Uint8Array) => {
    try {
      return utf8.decode(b);
    } catch {
      return fail("a string that is not UTF-8");
    }
  };
  const tuple = (items: Value[]): Tuple => built({ kind: "tuple", items }, true);

  for (;;) {
    start = at;
    const op = u8();
    switch (op) {
      case 0x80:
        u8();
        break; // PROTO
      case 0x95:
        take(8);
        break; // FRAME
      case 0x2e: {
        // STOP
        const result = pop();
        if (stack.length !== 0) fail(`STOP with ${stack.length} more values on the stack`);
        return result;
      }
      case 0x28: {
        // MARK
        if (marks.length >= MAX_MARKS) fail(`MARKs nested deeper than ${MAX_MARKS}: not a CIFAR batch`);
        marks.push(stack.length);
        stack.push(MARK);
        break;
      }
      case 0x30:
        pop();
        break; // POP
      case 0x31:
        popMark();
        break; // POP_MARK
      case 0x7d:
        push(built(new Map(), true));
        break; // EMPTY_DICT
      case 0x5d:
        push(built([], true));
        break; // EMPTY_LIST
      case 0x29:
        push(tuple([]));
        break; // EMPTY_TUPLE
      case 0x4e:
        push(null);
        break; // NONE
      case 0x88:
        push(true);
        break;
      case 0x89:
        push(false);
        break;
      case 0x4b:
        push(u8());
        break; // BININT1
      case 0x4d:
        push(u16());
        break; // BININT2
      case 0x4a: {
        need(4);
        push(view.getInt32(at, true));
        at += 4;
        break;
      } // BININT
      case 0x8a: {
        // LONG1
        const n = u8();
        const b = take(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
        if (n > 0 && b[n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
        push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : built(v));
        break;
      }
      case 0x47: {
        need(8);
        push(view.getFloat64(at, false));
        at += 8;
        break;
      } // BINFLOAT
      case 0x55:
        push(built(take(u8())));
        break; // SHORT_BINSTRING (Python 2 str: bytes)
      case 0x54:
        push(built(take(u32())));
        break; // BINSTRING
      case 0x43:
        push(built(take(u8())));
        break; // SHORT_BINBYTES
      case 0x42:
        push(built(take(u32())));
        break; // BINBYTES
      case 0x8c:
        push(built(text(take(u8()))));
        break; // SHORT_BINUNICODE
      case 0x58:
        push(built(text(take(u32()))));
        break; // BINUNICODE
      case 0x71:
        memoize(u8());
        break; // BINPUT
      case 0x72:
        memoize(u32());
        break; // LONG_BINPUT
      case 0x94:
        memoize(memo.size);
        break; // MEMOIZE
      case 0x68:
        recall(u8());
        break; // BINGET
      case 0x6a:
        recall(u32());
        break; // LONG_BINGET
      case 0x74:
        push(tuple(popMark()));
        break; // TUPLE
      case 0x85:
        push(tuple([pop()]));
        break; // TUPLE1
      case 0x86: {
        const b = pop(),
          a = pop();
        push(tuple([a, b]));
        break;
      } // TUPLE2
      case 0x87: {
        const c = pop(),
          b = pop(),
          a = pop();
        push(tuple([a, b, c]));
        break;
      } // TUPLE3
      case 0x61: {
        const v = pop();
        list().push(built(v));
        break;
      } // APPEND
      case 0x65: {
        // APPENDS: one at a time (spreading a huge MARK group would overflow the call stack)
        const items = popMark();
        const target = list();
        for (const item of items) target.push(built(item));
        break;
      }
      case 0x73: {
        const v = pop(),
          k = pop();
        setItem(dict(), k, v);
        break;
      } // SETITEM
      case 0x75: {
        // SETITEMS
        const items = popMark();
        const target = dict();
        if (items.length % 2 !== 0) fail(`SETITEMS with an odd number (${items.length}) of keys and values`);
        for (let i = 0; i < items.length; i += 2) setItem(target, items[i]!, items[i + 1]!);
        break;
      }
      case 0x63: {
        // GLOBAL
        const module = line();
        const name = line();
        push(built({ kind: "global", name: `${module}.${name}` }, true));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop(),
          module = pop();
        push(built({ kind: "global", name: `${key(module)}.${key(name)}` }, true));
        break;
      }
      case 0x52:
        push(reduce(pop(), pop()));
        break; // REDUCE: only the few constructors numpy arrays need
      case 0x62: {
        build(pop(), top());
        break;
      } // BUILD
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16)}`);
    }
  }

  /** Calls one of the allowed constructors: numpy's array reconstruction, numpy.dtype, _codecs.encode. */
  function reduce(args: Value, callable: Value): Value {
    const name =
      typeof callable === "object" && callable !== null && (callable as Global).kind === "global"
        ? (callable as Global).name
        : "?";
    if (name === "numpy.core.multiarray._reconstruct" || name === "numpy._core.multiarray._reconstruct") {
      return built({ kind: "ndarray", shape: [], dtype: "", data: null }, true);
    }
    if (name !== "numpy.dtype" && name !== "_codecs.encode") return fail(`refusing to call ${name}`);
    if (!isTuple(args) || args.items.length < 1) return fail(`${name} needs a tuple of arguments`);
    if (name === "numpy.dtype") return built({ kind: "dtype", name: key(args.items[0]!) }, true);
    const s = args.items[0]!;
    if (typeof s !== "string" || !/^latin-?1$/i.test(String(args.items[1]))) {
      return fail("_codecs.encode is read only for a latin1 string");
    }
    encoded += s.length;
    if (encoded > bytes.length) {
      fail(`_codecs.encode making more than the file's ${bytes.length} bytes: not a CIFAR batch`);
    }
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 255) fail("_codecs.encode of a character outside latin1");
      out[i] = c;
    }
    return built(out);
  }

  /** BUILD: sets a numpy array's state (version, shape, dtype, Fortran order, raw bytes); a dtype's is ignored. */
  function build(state: Value, target: Value): void {
    const kind = typeof target === "object" && target !== null && "kind" in target ? target.kind : null;
    if (kind === "dtype") return;
    if (kind !== "ndarray") return void fail("BUILD on something that is not a numpy array or dtype");
    const array = target as NumpyArray;
    if (!isTuple(state) || state.items.length !== 5) return void fail("a numpy array state that is not a 5-tuple");
    const [, shape, dtype, fortran, raw] = state.items;
    if (!isTuple(shape) || !shape.items.every((d) => typeof d === "number" && Number.isSafeInteger(d) && d >= 0)) {
      return void fail("a numpy array shape that is not a tuple of sizes");
    }
    if (typeof dtype !== "object" || dtype === null || (dtype as NumpyDtype).kind !== "dtype") {
      return void fail("a numpy array without a dtype");
    }
    if (fortran !== false && fortran !== 0) return void fail("a Fortran-ordered numpy array");
    array.shape = shape.items as number[];
    array.dtype = (dtype as NumpyDtype).name;
    if (raw instanceof Uint8Array) array.data = raw;
    else if (typeof raw === "string") {
      array.data = reduce(tuple([raw, "latin1"]), { kind: "global", name: "_codecs.encode" }) as Uint8Array;
    } else fail("a numpy array whose data is not bytes");
  }
}

/** Options of readCifarPickle. */
export interface ReadCifarPickleOptions {
  /** Names the source in errors. */
  file?: string;
  /**
   * Labels must lie in [0, classes): 10 for a CIFAR-10 batch (`labels`), 100 for CIFAR-100's
   * `fine_labels`, by default.
   */
  classes?: number;
}

/**
 * Reads one batch of the CIFAR-10 python layout (a pickled dict with `data`, an N×3072 uint8
 * array in R, G, B plane order, N ≥ 1, and `labels`, N class indices in [0, classes)).
 */
export function readCifarPickle(bytes: Uint8Array, options: ReadCifarPickleOptions = {}): LabeledImages {
  checkOptions("readCifarPickle", options, ["file", "classes"]);
  const { file = "<buffer>" } = options;
  const batch = unpickle(bytes, file);
  if (!(batch instanceof Map)) throw new DataFormatError(`${file}: expected a pickled dict at byte offset 0`);
  const data = batch.get("data") as NumpyArray | undefined;
  const fine = !batch.has("labels") && batch.has("fine_labels");
  const labels = batch.get(fine ? "fine_labels" : "labels");
  const classes = options.classes ?? (fine ? 100 : 10);
  if (!Number.isInteger(classes) || classes < 1 || classes > 256) {
    throw new ValueError(`readCifarPickle: classes must be an integer in [1, 256], got ${classes}`);
  }
  if (typeof data !== "object" || data === null || data.kind !== "ndarray" || !data.data) {
    throw new DataFormatError(`${file}: no "data" array in the pickled dict`);
  }
  const [count = 0, width = 0] = data.shape;
  const bytesRight = data.data.length === count * IMAGE_BYTES;
  if (data.dtype !== "u1" || data.shape.length !== 2 || width !== IMAGE_BYTES || !bytesRight) {
    throw new DataFormatError(
      `${file}: "data" should be a uint8 array [N, ${IMAGE_BYTES}] ` +
        `of N·${IMAGE_BYTES} bytes, ` +
        `got ${data.dtype} [${data.shape.join(", ")}] of ${data.data.length} bytes`,
    );
  }
  if (count === 0) throw new DataFormatError(`${file}: an empty batch (0 images)`);
  if (!Array.isArray(labels) || labels.length !== count) {
    const got = Array.isArray(labels) ? labels.length : "none";
    throw new DataFormatError(`${file}: expected ${count} labels, got ${got}`);
  }
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const l = labels[i];
    if (typeof l !== "number" || !Number.isInteger(l) || l < 0 || l >= classes) {
      const shown =
        typeof l === "number" ? l : typeof l === "string" ? JSON.stringify(l.slice(0, 20)) : `of type ${typeof l}`;
      throw new DataFormatError(`${file}: label ${shown} at index ${i} is outside [0, ${classes})`);
    }
    out[i] = l;
  }
  return { images: new Uint8Array(data.data), labels: out, count };
}

/**
 * Writes a CIFAR-10 python batch the way Python 2's cPickle wrote the official files (protocol
 * 2): {batch_label, labels, data (numpy uint8 [N, 3072]), filenames}. For tests and for users who
 * want files in that layout.
 */
export function writeCifarPickle(
  images: Uint8Array,
  labels: ArrayLike<number>,
  { batchLabel = "batch" }: { batchLabel?: string } = {},
): Uint8Array {
  const out: number[] = [];
  const bytes = (...b: number[]) => out.push(...b);
  const u32 = (v: number) => bytes(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255);
  const str = (s: string) => {
    const b = Array.from(s, (c) => c.charCodeAt(0) & 255);
    if (b.length < 256) bytes(0x55, b.length, ...b);
    else {
      bytes(0x54);
      u32(b.length);
      out.push(...b);
    }
  };
  const int = (v: number) => {
    if (v < 256) bytes(0x4b, v);
    else if (v < 65536) bytes(0x4d, v & 255, v >> 8);
    else {
      bytes(0x4a);
      u32(v);
    }
  };
  const global = (module: string, name: string) =>
    bytes(0x63, ...Array.from(`${module}\n${name}\n`, (c) => c.charCodeAt(0)));
  bytes(0x80, 2, 0x7d, 0x28);
  str("batch_label");
  str(batchLabel);
  str("labels");
  bytes(0x5d, 0x28);
  for (let i = 0; i < labels.length; i++) int(labels[i]!);
  bytes(0x65);
  str("data");
  global("numpy.core.multiarray", "_reconstruct");
  global("numpy", "ndarray");
  int(0);
  bytes(0x85);
  str("b");
  bytes(0x87, 0x52);
  bytes(0x28);
  int(1);
  int(labels.length);
  int(IMAGE_BYTES);
  bytes(0x86);
  global("numpy", "dtype");
  str("u1");
  int(0);
  int(1);
  bytes(0x87, 0x52);
  bytes(0x28);
  int(3);
  str("|");
  bytes(0x4e, 0x4e, 0x4e);
  bytes(0x4a);
  u32(0xffffffff);
  bytes(0x4a);
  u32(0xffffffff);
  int(0);
  bytes(0x74, 0x62);
  bytes(0x89);
  bytes(0x54);
  u32(images.length);
  const head = Uint8Array.from(out);
  const tail: number[] = [];
  tail.push(0x74, 0x62); // state tuple, BUILD
  const names = [0x55, 9, ...Array.from("filenames", (c) => c.charCodeAt(0)), 0x5d, 0x28];
  for (let i = 0; i < labels.length; i++) {
    const f = Array.from(`image_${i}.png`, (c) => c.charCodeAt(0));
    names.push(0x55, f.length, ...f);
  }
  names.push(0x65);
  const end = [0x75, 0x2e]; // SETITEMS, STOP
  const result = new Uint8Array(head.length + images.length + tail.length + names.length + end.length);
  result.set(head, 0);
  result.set(images, head.length);
  result.set(tail, head.length + images.length);
  result.set(names, head.length + images.length + tail.length);
  result.set(end, head.length + images.length + tail.length + names.length);
  return result;
}
