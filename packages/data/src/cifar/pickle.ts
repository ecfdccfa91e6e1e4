import { DataFormatError } from "@slope/core";
import { IMAGE_BYTES, type LabeledImages } from "./format.js";

/**
 * A reader for the subset of Python's pickle format that the CIFAR python batches use (protocol
 * 2, as written by cPickle, and protocols 3–4 as written by Python 3): dicts, lists, tuples,
 * strings and bytes, ints, and numpy arrays (numpy.core.multiarray._reconstruct + BUILD).
 * Anything else is refused; nothing is ever executed.
 */

/** A numpy array as the pickle describes it. */
interface NumpyArray { kind: "ndarray"; shape: number[]; dtype: string; data: Uint8Array | null }
interface Global { kind: "global"; name: string }
interface NumpyDtype { kind: "dtype"; name: string }
type Value = null | boolean | number | bigint | string | Uint8Array | Value[] | Map<string, Value> | NumpyArray | Global | NumpyDtype | { kind: "tuple"; items: Value[] };

const MARK = Symbol("mark");

const latin1 = (bytes: Uint8Array) => { let s = ""; for (const b of bytes) s += String.fromCharCode(b); return s; };

function key(value: Value): string {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return latin1(value);
  return String(value);
}

/** Parses pickle bytes into plain values; `file` names the source in errors. */
export function unpickle(bytes: Uint8Array, file = "<buffer>"): Value {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: (Value | typeof MARK)[] = [];
  const memo = new Map<number, Value>();
  let at = 0;
  const fail = (what: string): never => { throw new DataFormatError(`${file}: ${what} at byte offset ${at}`); };
  const need = (n: number) => { if (at + n > bytes.length) fail(`truncated pickle (needed ${n} more bytes)`); };
  const u8 = () => { need(1); return bytes[at++]!; };
  const u16 = () => { need(2); const v = view.getUint16(at, true); at += 2; return v; };
  const u32 = () => { need(4); const v = view.getUint32(at, true); at += 4; return v; };
  const take = (n: number) => { need(n); const v = bytes.subarray(at, at + n); at += n; return v; };
  const line = () => { const end = bytes.indexOf(10, at); if (end < 0) fail("unterminated line"); const s = latin1(bytes.subarray(at, end)); at = end + 1; return s; };
  const pop = (): Value => { const v = stack.pop(); if (v === undefined || v === MARK) fail("stack underflow"); return v as Value; };
  const popMark = (): Value[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) fail("no MARK on the stack");
    const items = stack.splice(i) as Value[];
    items.shift();
    return items;
  };
  const top = (): Value => { const v = stack[stack.length - 1]; if (v === undefined || v === MARK) fail("stack underflow"); return v as Value; };
  const utf8 = new TextDecoder();

  for (;;) {
    const start = at;
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: take(8); break; // FRAME
      case 0x2e: return pop(); // STOP
      case 0x28: stack.push(MARK); break;
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push({ kind: "tuple", items: [] }); break; // EMPTY_TUPLE
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break;
      case 0x89: stack.push(false); break;
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x4a: { need(4); stack.push(view.getInt32(at, true)); at += 4; break; } // BININT
      case 0x8a: { // LONG1
        const n = u8(); const b = take(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
        if (n > 0 && b[n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: { need(8); stack.push(view.getFloat64(at, false)); at += 8; break; } // BINFLOAT
      case 0x55: stack.push(take(u8())); break; // SHORT_BINSTRING (Python 2 str: bytes)
      case 0x54: stack.push(take(u32())); break; // BINSTRING
      case 0x43: stack.push(take(u8())); break; // SHORT_BINBYTES
      case 0x42: stack.push(take(u32())); break; // BINBYTES
      case 0x8c: stack.push(utf8.decode(take(u8()))); break; // SHORT_BINUNICODE
      case 0x58: stack.push(utf8.decode(take(u32()))); break; // BINUNICODE
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: { const k = u8(); if (!memo.has(k)) fail(`memo ${k} unset`); stack.push(memo.get(k)!); break; } // BINGET
      case 0x6a: { const k = u32(); if (!memo.has(k)) fail(`memo ${k} unset`); stack.push(memo.get(k)!); break; } // LONG_BINGET
      case 0x74: stack.push({ kind: "tuple", items: popMark() }); break; // TUPLE
      case 0x85: stack.push({ kind: "tuple", items: [pop()] }); break; // TUPLE1
      case 0x86: { const b = pop(), a = pop(); stack.push({ kind: "tuple", items: [a, b] }); break; }
      case 0x87: { const c = pop(), b = pop(), a = pop(); stack.push({ kind: "tuple", items: [a, b, c] }); break; }
      case 0x61: { const v = pop(); (top() as Value[]).push(v); break; } // APPEND
      case 0x65: { const items = popMark(); (top() as Value[]).push(...items); break; } // APPENDS
      case 0x73: { const v = pop(), k = pop(); (top() as Map<string, Value>).set(key(k), v); break; } // SETITEM
      case 0x75: { // SETITEMS
        const items = popMark(); const dict = top() as Map<string, Value>;
        for (let i = 0; i < items.length; i += 2) dict.set(key(items[i]!), items[i + 1]!);
        break;
      }
      case 0x63: { const module = line(); const name = line(); stack.push({ kind: "global", name: `${module}.${name}` }); break; } // GLOBAL
      case 0x93: { const name = pop(), module = pop(); stack.push({ kind: "global", name: `${key(module)}.${key(name)}` }); break; } // STACK_GLOBAL
      case 0x52: { // REDUCE: only the few constructors numpy arrays need
        const args = pop() as { kind: "tuple"; items: Value[] };
        const callable = pop() as Global;
        const name = callable?.kind === "global" ? callable.name : "?";
        if (name === "numpy.core.multiarray._reconstruct" || name === "numpy._core.multiarray._reconstruct") stack.push({ kind: "ndarray", shape: [], dtype: "", data: null });
        else if (name === "numpy.dtype") stack.push({ kind: "dtype", name: key(args.items[0]!) });
        else if (name === "_codecs.encode") { const s = key(args.items[0]!); stack.push(Uint8Array.from(s, (ch) => ch.charCodeAt(0))); }
        else { at = start; fail(`refusing to call ${name}`); }
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        const target = top();
        if (target && typeof target === "object" && "kind" in target && target.kind === "ndarray") {
          const items = (state as { items: Value[] }).items;
          target.shape = ((items[1] as { items: Value[] }).items).map(Number);
          target.dtype = (items[2] as NumpyDtype).name;
          const raw = items[4];
          target.data = raw instanceof Uint8Array ? raw : typeof raw === "string" ? Uint8Array.from(raw, (ch) => ch.charCodeAt(0)) : null;
        }
        break;
      }
      default:
        at = start;
        fail(`unsupported pickle opcode 0x${op.toString(16)}`);
    }
  }
}

/**
 * Reads one batch of the CIFAR-10 python layout (a pickled dict with `data`, a 10000×3072 uint8
 * array in R, G, B plane order, and `labels`).
 */
export function readCifarPickle(bytes: Uint8Array, { file = "<buffer>" }: { file?: string } = {}): LabeledImages {
  const batch = unpickle(bytes, file);
  if (!(batch instanceof Map)) throw new DataFormatError(`${file}: expected a pickled dict at byte offset 0`);
  const data = batch.get("data") as NumpyArray | undefined;
  const labels = (batch.get("labels") ?? batch.get("fine_labels")) as Value[] | undefined;
  if (!data || data.kind !== "ndarray" || !data.data) throw new DataFormatError(`${file}: no "data" array in the pickled dict`);
  if (data.dtype !== "u1" || data.shape.length !== 2 || data.shape[1] !== IMAGE_BYTES || data.data.length !== data.shape[0]! * IMAGE_BYTES) {
    throw new DataFormatError(`${file}: "data" should be a uint8 array [N, ${IMAGE_BYTES}], got ${data.dtype} [${data.shape.join(", ")}]`);
  }
  if (!Array.isArray(labels) || labels.length !== data.shape[0]) throw new DataFormatError(`${file}: expected ${data.shape[0]} labels, got ${Array.isArray(labels) ? labels.length : "none"}`);
  const out = new Uint8Array(labels.length);
  labels.forEach((l, i) => {
    if (typeof l !== "number" || !Number.isInteger(l) || l < 0 || l > 255) throw new DataFormatError(`${file}: label ${String(l)} at index ${i} is not a class index`);
    out[i] = l;
  });
  return { images: new Uint8Array(data.data), labels: out, count: labels.length };
}

/**
 * Writes a CIFAR-10 python batch the way Python 2's cPickle wrote the official files (protocol
 * 2): {batch_label, labels, data (numpy uint8 [N, 3072]), filenames}. For tests and for users who
 * want files in that layout.
 */
export function writeCifarPickle(images: Uint8Array, labels: ArrayLike<number>, { batchLabel = "batch" }: { batchLabel?: string } = {}): Uint8Array {
  const out: number[] = [];
  const bytes = (...b: number[]) => out.push(...b);
  const u32 = (v: number) => bytes(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255);
  const str = (s: string) => { const b = Array.from(s, (c) => c.charCodeAt(0) & 255); if (b.length < 256) bytes(0x55, b.length, ...b); else { bytes(0x54); u32(b.length); out.push(...b); } };
  const int = (v: number) => { if (v < 256) bytes(0x4b, v); else if (v < 65536) bytes(0x4d, v & 255, v >> 8); else { bytes(0x4a); u32(v); } };
  const global = (module: string, name: string) => bytes(0x63, ...Array.from(`${module}\n${name}\n`, (c) => c.charCodeAt(0)));
  bytes(0x80, 2, 0x7d, 0x28);
  str("batch_label"); str(batchLabel);
  str("labels"); bytes(0x5d, 0x28); for (let i = 0; i < labels.length; i++) int(labels[i]!); bytes(0x65);
  str("data");
  global("numpy.core.multiarray", "_reconstruct");
  global("numpy", "ndarray"); int(0); bytes(0x85); str("b"); bytes(0x87, 0x52);
  bytes(0x28); int(1); int(labels.length); int(IMAGE_BYTES); bytes(0x86);
  global("numpy", "dtype"); str("u1"); int(0); int(1); bytes(0x87, 0x52);
  bytes(0x28); int(3); str("|"); bytes(0x4e, 0x4e, 0x4e); bytes(0x4a); u32(0xffffffff); bytes(0x4a); u32(0xffffffff); int(0); bytes(0x74, 0x62);
  bytes(0x89);
  bytes(0x54); u32(images.length);
  const head = Uint8Array.from(out);
  const tail: number[] = [];
  tail.push(0x74, 0x62); // state tuple, BUILD
  const names = [0x55, 9, ...Array.from("filenames", (c) => c.charCodeAt(0)), 0x5d, 0x28];
  for (let i = 0; i < labels.length; i++) { const f = Array.from(`image_${i}.png`, (c) => c.charCodeAt(0)); names.push(0x55, f.length, ...f); }
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
