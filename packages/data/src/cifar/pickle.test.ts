import { DataFormatError, Rng } from "@slope/core";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { IMAGE_BYTES } from "./format.js";
import { readCifarPickle, unpickle, writeCifarPickle } from "./pickle.js";

/** Written by scripts/fixtures/cifar_pickle_fixtures.py (Python's own pickle and numpy). */
const FIXTURE = new URL("../../../../tests/fixtures/pickle/cifar-batches.json", import.meta.url);

const op = (...codes: number[]) => Uint8Array.from(codes);
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

/** Runs `f`, expecting a DataFormatError; returns it with the time taken. */
function refusal(f: () => unknown): { error: DataFormatError; ms: number } {
  const t0 = performance.now();
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(DataFormatError);
    return { error: error as DataFormatError, ms: performance.now() - t0 };
  }
  throw new Error("expected a DataFormatError, nothing was thrown");
}

const offsetOf = (e: Error) => Number(/at byte offset (\d+)/.exec(e.message)?.[1]);

describe("unpickle bounds what it builds by what a CIFAR batch can hold", () => {
  it("8 MB of EMPTY_DICT is refused after a few thousand objects, in well under a second", () => {
    const { error, ms } = refusal(() => unpickle(new Uint8Array(8 << 20).fill(0x7d), "dicts.pkl"));
    expect(error.message).toMatch(/dicts.pkl: more than \d+ containers: not a CIFAR batch/);
    expect(offsetOf(error)).toBeLessThan(2000);
    expect(ms).toBeLessThan(2000);
  });

  it("30 MB of one-byte objects (EMPTY_LIST, EMPTY_TUPLE, empty bytes) is refused early, in linear time", () => {
    for (const bytes of [new Uint8Array(30 << 20).fill(0x5d), new Uint8Array(30 << 20).fill(0x29)]) {
      const { error, ms } = refusal(() => unpickle(bytes));
      expect(offsetOf(error)).toBeLessThan(2000);
      expect(ms).toBeLessThan(2000);
    }
    const empties = new Uint8Array(30 << 20);
    for (let i = 0; i < empties.length; i += 2) empties[i] = 0x43; // SHORT_BINBYTES of length 0
    const { error, ms } = refusal(() => unpickle(empties));
    expect(error.message).toMatch(/more than \d+ objects in 31457280 bytes: not a CIFAR batch/);
    expect(offsetOf(error)).toBeLessThan(4 * (4096 + 8 * ((30 << 20) / IMAGE_BYTES)));
    expect(ms).toBeLessThan(3000);
  });

  it("a stack of 30 MB of None, or of MARKs, is refused early rather than held", () => {
    const nones = refusal(() => unpickle(new Uint8Array(30 << 20).fill(0x4e)));
    expect(nones.error.message).toMatch(/a stack deeper than \d+/);
    expect(offsetOf(nones.error)).toBeLessThan(4096 + 8 * ((30 << 20) / IMAGE_BYTES) + 1);
    const marks = refusal(() => unpickle(new Uint8Array(30 << 20).fill(0x28)));
    expect(marks.error.message).toMatch(/MARKs nested deeper than 64/);
  });

  it("one memoised string encoded again and again (_codecs.encode) cannot make more bytes than the file", () => {
    const s = new Array(10_000).fill(0x61);
    const encode = [0x63, ...ascii("_codecs\nencode\n"), 0x68, 0, 0x8c, 6, ...ascii("latin1"), 0x86, 0x52, 0x30];
    const body: number[] = [0x58, 0x10, 0x27, 0, 0, ...s, 0x71, 0];
    for (let i = 0; i < 2000; i++) body.push(...encode);
    const { error, ms } = refusal(() => unpickle(Uint8Array.from([...body, 0x2e])));
    expect(error.message).toMatch(/_codecs.encode making more than the file's \d+ bytes/);
    expect(ms).toBeLessThan(1000);
  });

  it("MEMOIZE and BINGET cannot grow the memo past the bound", () => {
    const bytes = new Uint8Array(1 << 20);
    bytes[0] = 0x4e;
    bytes.fill(0x94, 1);
    expect(refusal(() => unpickle(bytes)).error.message).toMatch(/more than \d+ objects/);
  });

  it("one APPENDS of 130,000 labels and lists nested 60 deep read back without overflowing the call stack", () => {
    const n = 130_000;
    // The bound scales with the file: pad to 8 bytes per label (after STOP, which ends the read, as in Python).
    const bytes = new Uint8Array((n * IMAGE_BYTES) / 8 + 4096);
    let at = 0;
    bytes.set([0x80, 2, 0x5d, 0x28], at);
    at += 4;
    for (let i = 0; i < n; i++) {
      bytes[at++] = 0x4b;
      bytes[at++] = i % 10;
    }
    bytes[at++] = 0x65;
    for (let d = 0; d < 60; d++) {
      bytes[at++] = 0x5d;
      bytes[at++] = 0x28;
    }
    for (let d = 0; d < 60; d++) bytes[at++] = 0x65;
    bytes[at++] = 0x61; // the innermost list into the labels list
    bytes[at++] = 0x2e;
    const labels = unpickle(bytes, "long.pkl") as unknown[];
    expect(labels.length).toBe(n + 1);
    expect(labels[n - 1]).toBe((n - 1) % 10);
    let depth = 0;
    for (let v = labels[n]; Array.isArray(v); v = v[0]) depth++;
    expect(depth).toBe(60);
  });

  it("SETITEM, APPEND, BUILD on the wrong kind of value are DataFormatErrors; the caller's bytes stay", () => {
    // {}? no: SHORT_BINBYTES b"abcd", then SETITEM with key "k" and value 7 (Uint8Array.prototype.set would write).
    const bytes = op(0x80, 2, 0x43, 4, ...ascii("abcd"), 0x8c, 1, ...ascii("k"), 0x4b, 7, 0x73, 0x2e);
    const copy = bytes.slice();
    expect(refusal(() => unpickle(bytes)).error.message).toMatch(
      /SETITEM on something that is not a dict at byte offset 13/,
    );
    for (let i = 0; i < bytes.length; i++) if (bytes[i] !== copy[i]) throw new Error(`byte ${i} was changed`);
    refusal(() => unpickle(op(0x43, 2, 1, 2, 0x28, 0x4b, 1, 0x4b, 2, 0x75, 0x2e)));
    refusal(() => unpickle(op(0x7d, 0x4b, 1, 0x61, 0x2e)));
    refusal(() => unpickle(op(0x7d, 0x28, 0x4b, 1, 0x65, 0x2e)));
    refusal(() => unpickle(op(0x7d, 0x29, 0x62, 0x2e)));
    refusal(() => unpickle(op(0x7d, 0x28, 0x4b, 1, 0x75, 0x2e))); // odd SETITEMS
    refusal(() => unpickle(op(0x4e, 0x29, 0x52, 0x2e))); // REDUCE of None
  });

  it("BINGET of a memo slot never set and POP_MARK without a MARK are named, at their byte offsets", () => {
    expect(refusal(() => unpickle(op(0x80, 2, 0x4b, 1, 0x71, 0, 0x68, 5, 0x2e))).error.message).toMatch(
      /memo 5 unset at byte offset 6/,
    );
    expect(unpickle(op(0x80, 2, 0x4b, 1, 0x71, 0, 0x30, 0x68, 0, 0x2e))).toBe(1); // slot 0 was set: BINGET reads it back
    expect(refusal(() => unpickle(op(0x4b, 1, 0x31, 0x2e))).error.message).toMatch(
      /no MARK on the stack at byte offset 2/,
    );
  });
});

describe("readCifarPickle", () => {
  it("reads batches as Python 3 pickles them (protocols 2, 3 and 4; CIFAR-100's fine_labels)", () => {
    const fixture = JSON.parse(readFileSync(FIXTURE, "utf8")) as {
      pixelSum: number;
      first: number[];
      count: number;
      cases: { name: string; labels: number[]; pickle: string }[];
    };
    for (const c of fixture.cases) {
      const batch = readCifarPickle(new Uint8Array(Buffer.from(c.pickle, "base64")), { file: c.name });
      expect([c.name, batch.count, Array.from(batch.labels)]).toEqual([c.name, fixture.count, c.labels]);
      expect(batch.images.reduce((s, v) => s + v, 0)).toBe(fixture.pixelSum);
      expect(Array.from(batch.images.subarray(0, 8))).toEqual(fixture.first);
    }
  });

  const images = (n: number) => {
    const r = new Rng(n);
    return Uint8Array.from({ length: n * IMAGE_BYTES }, () => r.int(256));
  };

  it("labels outside [0, 10) are refused (the binary layout refuses them too); fine_labels outside [0, 100)", () => {
    expect(() => readCifarPickle(writeCifarPickle(images(3), [1, 77, 2]), { file: "b.pkl" })).toThrow(
      /b.pkl: label 77 at index 1 is outside \[0, 10\)/,
    );
    expect(() => readCifarPickle(writeCifarPickle(images(2), [10, 1]))).toThrow(DataFormatError);
    expect(readCifarPickle(writeCifarPickle(images(2), [9, 0])).labels[0]).toBe(9);
    expect(() => readCifarPickle(writeCifarPickle(images(2), [0, 300]), { classes: 256 })).toThrow(
      /outside \[0, 256\)/,
    );
  });

  it("an empty batch is refused", () => {
    expect(() => readCifarPickle(writeCifarPickle(new Uint8Array(0), []))).toThrow(/an empty batch/);
  });

  it("unknown options are refused", () => {
    expect(() => readCifarPickle(writeCifarPickle(images(1), [1]), { fle: "x" } as never)).toThrow(
      /unknown option "fle"/,
    );
  });

  it("any byte stream gives a value or a DataFormatError, never another error, in bounded time", () => {
    const valid = writeCifarPickle(images(2), [3, 4]);
    const edits = fc.array(fc.tuple(fc.nat(valid.length - 1), fc.nat(255)), { maxLength: 8 });
    const mutated = fc.tuple(edits, fc.nat(valid.length)).map(([edits, cut]) => {
      const b = valid.slice(0, Math.max(1, cut));
      for (const [i, v] of edits) if (i < b.length) b[i] = v;
      return b;
    });
    // Whole opcodes with their arguments, pushes more often than consumers, so streams get past the first pop.
    const token = fc.oneof(
      { arbitrary: fc.constantFrom([0x7d], [0x5d], [0x28], [0x4e], [0x29], [0x88]), weight: 4 },
      { arbitrary: fc.nat(255).map((v) => [0x4b, v]), weight: 2 },
      { arbitrary: fc.uint8Array({ maxLength: 6 }).map((b) => [0x43, b.length, ...b]), weight: 2 },
      { arbitrary: fc.constantFrom("data", "labels", "u1", "k").map((s) => [0x8c, s.length, ...ascii(s)]), weight: 1 },
      {
        arbitrary: fc.constantFrom(
          ...["numpy\ndtype\n", "numpy.core.multiarray\n_reconstruct\n", "_codecs\nencode\n"].map((s) => [
            0x63,
            ...ascii(s),
          ]),
        ),
        weight: 1,
      },
      {
        arbitrary: fc.constantFrom(
          [0x61],
          [0x65],
          [0x73],
          [0x75],
          [0x74],
          [0x85],
          [0x86],
          [0x87],
          [0x62],
          [0x52],
          [0x94],
          [0x68, 0],
          [0x71, 0],
          [0x93],
          [0x2e],
          [0x30],
          [0x31],
        ),
        weight: 3,
      },
    );
    const opcodes = fc.array(token, { maxLength: 60 }).map((tokens) => Uint8Array.from([...tokens.flat(), 0x2e]));
    for (const streams of [fc.uint8Array({ maxLength: 400 }), mutated, opcodes]) {
      fc.assert(
        fc.property(streams, (bytes) => {
          const t0 = performance.now();
          for (const f of [() => unpickle(bytes), () => readCifarPickle(bytes)]) {
            try {
              f();
            } catch (error) {
              if (!(error instanceof DataFormatError)) throw error;
            }
          }
          return performance.now() - t0 < 200;
        }),
        { numRuns: 400, seed: 15 },
      );
    }
  });
});
