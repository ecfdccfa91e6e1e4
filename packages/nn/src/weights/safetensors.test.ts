import * as core from "@slope/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BatchNorm1d } from "../layers/batch-norm.js";
import { Linear } from "../layers/linear.js";
import { Sequential } from "../layers/sequential.js";
import { INT64_BUFFER_NAMES, loadSafetensors, safetensorsMetadata, saveSafetensors } from "./safetensors.js";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** A file from header JSON text and data bytes, the header padded with spaces to a multiple of 8. */
function file(header: string, data: ArrayLike<number> = []): Uint8Array {
  const json = new TextEncoder().encode(header);
  const n = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + n + data.length).fill(0x20, 8, 8 + n);
  new DataView(out.buffer).setUint32(0, n, true);
  out.set(json, 8);
  out.set(Array.from(data), 8 + n);
  return out;
}

/** Little-endian bytes of values written with a DataView setter. */
function bytesOf(
  size: number,
  values: (number | bigint)[],
  set: (view: DataView, at: number, v: never) => void,
): Uint8Array {
  const out = new Uint8Array(size * values.length);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    set(view, i * size, v as never);
  });
  return out;
}

/** Compares the bits of two float arrays, reporting the first differing element. */
function expectSameBits(actual: core.Tensor, expected: core.Tensor): void {
  expect(actual.dtype).toBe(expected.dtype);
  expect(actual.shape).toEqual(expected.shape);
  const a = new Uint8Array(actual.data.buffer, actual.data.byteOffset, actual.data.byteLength);
  const b = new Uint8Array(expected.data.buffer, expected.data.byteOffset, expected.data.byteLength);
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) throw new Error(`byte ${i} differs: ${a[i]} vs ${b[i]}`);
}

function expectValues(t: core.Tensor, expected: number[]): void {
  expect(t.size).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(t.data[i], expected[i])) throw new Error(`element ${i}: got ${t.data[i]}, expected ${expected[i]}`);
  }
}

describe("saveSafetensors / loadSafetensors round trip", () => {
  it("reads a Node Buffer (a view into a shared pool, as readFileSync gives) as its own bytes", () => {
    const model = new Linear(3, 2, { rng: new core.Rng(4) });
    const bytes = saveSafetensors(model);
    const pooled = Buffer.from(bytes); // small Buffers share Node's 8 KB pool: byteOffset ≠ 0
    const loaded = loadSafetensors(pooled);
    expect(loaded.weight!.shape).toEqual([2, 3]);
    expect(Array.from(loaded.weight!.data)).toEqual(Array.from(model.weight.value.data));
    expect(Array.from(loaded.bias!.data)).toEqual(Array.from(model.bias!.value.data));
  });

  it("keeps float32 and float64 bit for bit, NaN payloads, −0, ±∞ and denormals included", () => {
    const f32 = new Float32Array([0, -0, NaN, Infinity, -Infinity, 1.4e-45, -1e-40, 3.4028234663852886e38, 0.1, -2.5]);
    new Uint32Array(f32.buffer)[2] = 0x7fc00abc; // a NaN with a payload
    const f64 = new Float64Array([-0, NaN, 5e-324, -2.2250738585072e-308, Number.MAX_VALUE, Math.PI, 1 / 3]);
    new Uint32Array(f64.buffer)[2] = 0x12345; // NaN's low word: a payload
    const dict = {
      "layer.weight": core.fromData(f32, [2, 5]),
      "layer.bias": core.fromData(f64, [7]),
      scalar: core.scalar(-7.25, "float64"),
      empty: core.zeros([0, 3]),
    };
    const loaded = loadSafetensors(saveSafetensors(dict));
    expect(Object.keys(loaded).sort()).toEqual(Object.keys(dict).sort());
    for (const [key, t] of Object.entries(dict)) expectSameBits(loaded[key]!, t);
  });

  it("lays the file out as the safetensors crate: I64, then F64, then F32, each by name; header padded to 8", () => {
    const bytes = saveSafetensors({
      b: core.tensor([1, 2], { dtype: "float32" }),
      a: core.tensor([3], { dtype: "float32" }),
      c: core.scalar(4, "float64"),
      "bn.num_batches_tracked": core.scalar(7, "float32"),
    });
    const header =
      '{"bn.num_batches_tracked":{"dtype":"I64","shape":[],"data_offsets":[0,8]},' +
      '"c":{"dtype":"F64","shape":[],"data_offsets":[8,16]},' +
      '"a":{"dtype":"F32","shape":[1],"data_offsets":[16,20]},"b":{"dtype":"F32","shape":[2],"data_offsets":[20,28]}}';
    const n = Math.ceil(header.length / 8) * 8;
    const view = new DataView(bytes.buffer);
    expect(view.getBigUint64(0, true)).toBe(BigInt(n));
    expect(text(bytes.subarray(8, 8 + n))).toBe(header.padEnd(n, " "));
    expect(bytes.length).toBe(8 + n + 28);
    expect(view.getBigInt64(8 + n, true)).toBe(7n);
    expect(view.getFloat64(8 + n + 8, true)).toBe(4);
    const floats = [16, 20, 24].map((at) => view.getFloat32(8 + n + at, true));
    expect(floats).toEqual([3, 1, 2]);
    expect(Object.keys(loadSafetensors(bytes))).toEqual(["bn.num_batches_tracked", "c", "a", "b"]); // the data's order
  });

  it("saves a Module's state dict, BatchNorm's num_batches_tracked as I64, and loads back into the model", () => {
    expect(INT64_BUFFER_NAMES.has("num_batches_tracked")).toBe(true);
    const rng = new core.Rng("safetensors-module");
    const model = new Sequential(new Linear(3, 4, { rng }), new BatchNorm1d(4));
    const bn = model.children()[1] as BatchNorm1d;
    bn.num_batches_tracked!.data[0] = 12;
    bn.running_mean!.data.set([0.5, -1, 2, 0.25]);
    const bytes = saveSafetensors(model, { format: "pt" });
    expect(text(bytes)).toContain('"1.num_batches_tracked":{"dtype":"I64","shape":[]');
    const loaded = loadSafetensors(bytes);
    expect(loaded["1.num_batches_tracked"]!.dtype).toBe("float64");
    expect(loaded["1.num_batches_tracked"]!.item()).toBe(12);
    const copy = new Sequential(new Linear(3, 4, { rng: new core.Rng("other") }), new BatchNorm1d(4));
    copy.loadStateDict(loaded);
    for (const [key, t] of Object.entries(model.stateDict())) expectSameBits(copy.stateDict()[key]!, t);
    expect(safetensorsMetadata(bytes)).toEqual({ format: "pt" });
  });

  it("writes int64Keys as I64 and refuses non-integers there", () => {
    const bytes = saveSafetensors({ step: core.tensor([3, -4]) }, undefined, { int64Keys: ["step"] });
    expect(text(bytes)).toContain('"step":{"dtype":"I64"');
    expectValues(loadSafetensors(bytes).step!, [3, -4]);
    const fraction = () => saveSafetensors({ step: core.tensor([1.5]) }, undefined, { int64Keys: ["step"] });
    expect(fraction).toThrow(/holds 1.5 at index 0/);
  });

  it("keeps metadata, sorted by key; safetensorsMetadata gives {} without it", () => {
    const bytes = saveSafetensors({ w: core.zeros([1]) }, { z: "1", a: "é ✓" });
    expect(text(bytes)).toContain('{"__metadata__":{"a":"é ✓","z":"1"},');
    expect(safetensorsMetadata(bytes)).toEqual({ a: "é ✓", z: "1" });
    expect(safetensorsMetadata(saveSafetensors({}))).toEqual({});
    expect(loadSafetensors(saveSafetensors({}))).toEqual({});
  });

  it("rejects what cannot be written with ValueError", () => {
    expect(() => saveSafetensors({ w: [1, 2] as unknown as core.Tensor })).toThrow(core.ValueError);
    expect(() => saveSafetensors({ __metadata__: core.zeros([1]) })).toThrow(/reserved/);
    expect(() => saveSafetensors({}, { n: 1 as unknown as string })).toThrow(/metadata values must be strings/);
  });
});

describe("loadSafetensors reads other dtypes exactly into float tensors", () => {
  it("F16 and BF16 into float32", () => {
    const f16 = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000, 0x7c00, 0x3555];
    const bf16 = [0x3f80, 0xc020, 0x0001, 0xff80];
    const u16 = (v: DataView, at: number, x: number) => v.setUint16(at, x, true);
    const data = [...bytesOf(2, f16, u16), ...bytesOf(2, bf16, u16)];
    const loaded = loadSafetensors(
      file(
        '{"h":{"dtype":"F16","shape":[7],"data_offsets":[0,14]},' +
          '"b":{"dtype":"BF16","shape":[2,2],"data_offsets":[14,22]}}',
        data,
      ),
    );
    expect(loaded.h!.dtype).toBe("float32");
    expectValues(loaded.h!, [1, -2, 65504, 2 ** -24, -0, Infinity, Math.fround(0.333251953125)]);
    expectValues(loaded.b!, [1, -2.5, Math.fround(2 ** -133), -Infinity]);
    expect(loaded.b!.shape).toEqual([2, 2]);
  });

  it("integers and BOOL: I8, U8, I16, U16, BOOL into float32, I32, U32, I64, U64 into float64", () => {
    const parts: [string, number, Uint8Array][] = [
      ["I8", 1, bytesOf(1, [-128, 127], (v, at, x: number) => v.setInt8(at, x))],
      ["U8", 1, bytesOf(1, [0, 255], (v, at, x: number) => v.setUint8(at, x))],
      ["I16", 2, bytesOf(2, [-32768, 1], (v, at, x: number) => v.setInt16(at, x, true))],
      ["U16", 2, bytesOf(2, [65535, 2], (v, at, x: number) => v.setUint16(at, x, true))],
      ["BOOL", 1, new Uint8Array([0, 1])],
      ["I32", 4, bytesOf(4, [-(2 ** 31), 2 ** 31 - 1], (v, at, x: number) => v.setInt32(at, x, true))],
      ["U32", 4, bytesOf(4, [2 ** 32 - 1, 0], (v, at, x: number) => v.setUint32(at, x, true))],
      ["I64", 8, bytesOf(8, [-(2n ** 53n), 2n ** 53n], (v, at, x: bigint) => v.setBigInt64(at, x, true))],
      ["U64", 8, bytesOf(8, [2n ** 53n, 5n], (v, at, x: bigint) => v.setBigUint64(at, x, true))],
    ];
    let offset = 0;
    const entries = parts.map(([dtype, , bytes]) => {
      const entry = `"${dtype}":{"dtype":"${dtype}","shape":[2],"data_offsets":[${offset},${offset + bytes.length}]}`;
      offset += bytes.length;
      return entry;
    });
    const loaded = loadSafetensors(
      file(
        `{${entries.join(",")}}`,
        parts.flatMap(([, , b]) => [...b]),
      ),
    );
    const expected: Record<string, [core.DType, number[]]> = {
      I8: ["float32", [-128, 127]],
      U8: ["float32", [0, 255]],
      I16: ["float32", [-32768, 1]],
      U16: ["float32", [65535, 2]],
      BOOL: ["float32", [0, 1]],
      I32: ["float64", [-(2 ** 31), 2 ** 31 - 1]],
      U32: ["float64", [2 ** 32 - 1, 0]],
      I64: ["float64", [-(2 ** 53), 2 ** 53]],
      U64: ["float64", [2 ** 53, 5]],
    };
    for (const [key, [dtype, values]] of Object.entries(expected)) {
      expect(loaded[key]!.dtype).toBe(dtype);
      expectValues(loaded[key]!, values);
    }
  });

  it("throws DataFormatError for a 64-bit integer beyond ±2^53, naming the tensor and the value", () => {
    const data = bytesOf(8, [2n ** 53n + 1n], (v, at, x: bigint) => v.setBigInt64(at, x, true));
    const bytes = file('{"count":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}', data);
    expect(() => loadSafetensors(bytes)).toThrow(core.DataFormatError);
    expect(() => loadSafetensors(bytes)).toThrow(/"count" holds 9007199254740993 at index 0/);
  });
});

describe("malformed files are a DataFormatError saying what was expected and what came", () => {
  const valid =
    '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}';
  const data12 = new Uint8Array(12);
  const cases: [string, Uint8Array, RegExp][] = [
    ["fewer than 8 bytes", new Uint8Array(5), /expected at least 8 bytes .*got 5/],
    [
      "a header length beyond the file",
      file(valid, data12).subarray(0, 40),
      /header length is \d+ bytes but only 32 bytes follow/,
    ],
    [
      "a header length over 2^32",
      (() => {
        const b = file(valid, data12);
        b[4] = 1;
        return b;
      })(),
      /header length is 4294967\d{3} bytes/,
    ],
    ["an empty header", new Uint8Array(8), /start with "\{", got an empty header/],
    ["a header that does not start with {", file(`[${valid}]`, data12), /start with "\{", got byte 0x5b/],
    [
      "invalid UTF-8",
      (() => {
        const b = file('{"a\u00e9":1}');
        b[11] = 0xff;
        return b;
      })(),
      /not valid UTF-8/,
    ],
    ["invalid JSON", file('{"a":{"dtype":"F32",}}'), /not valid JSON/],
    [
      "data offsets outside the buffer",
      file(valid.replace("[8,12]", "[8,16]").replace('"shape":[1]', '"shape":[2]'), data12),
      /cover 16 bytes but 12 bytes of data follow/,
    ],
    [
      "overlapping offsets",
      file(valid.replace("[8,12]", "[4,8]"), data12.subarray(0, 8)),
      /"b" starts at byte 4 .* ends at 8: it overlaps/,
    ],
    [
      "a gap between tensors",
      file(valid.replace("[8,12]", "[12,16]"), new Uint8Array(16)),
      /starts at byte 12 .* ends at 8: it leaves a gap/,
    ],
    [
      "bytes left over after the tensors",
      file(valid, new Uint8Array(13)),
      /cover 12 bytes but 13 bytes of data follow/,
    ],
    [
      "a shape whose size is not the byte length",
      file(valid.replace('"shape":[1]', '"shape":[2]'), data12),
      /"b" of dtype F32 and shape \[2\] needs 8 bytes, but .* span 4/,
    ],
    [
      "an unknown dtype",
      file(valid.replace('"dtype":"F32","shape":[1]', '"dtype":"F8_E4M3","shape":[4]'), data12),
      /dtype "F8_E4M3"; expected one of F64, F32/,
    ],
    [
      "non-string metadata",
      file(`{"__metadata__":{"epoch":3},${valid.slice(1)}`, data12),
      /metadata values to be strings, got 3 for "epoch"/,
    ],
    [
      "metadata that is not an object",
      file(`{"__metadata__":"x",${valid.slice(1)}`, data12),
      /"__metadata__" to be an object/,
    ],
    [
      "a duplicate tensor name",
      file(`${valid.slice(0, -1)},"a":{"dtype":"F32","shape":[0],"data_offsets":[12,12]}}`, data12),
      /duplicate key "a"/,
    ],
    [
      "a duplicate field in a tensor",
      file(valid.replace('"shape":[2]', '"shape":[2],"shape":[2]'), data12),
      /duplicate key "shape"/,
    ],
    [
      "begin after end",
      file(valid.replace("[8,12]", "[12,8]"), data12),
      /data_offsets \[12,8\]; expected \[begin, end\]/,
    ],
    [
      "a negative dimension",
      file(valid.replace('"shape":[1]', '"shape":[-1]'), data12),
      /shape \[-1\]; expected an array of non-negative integers/,
    ],
    ["a tensor entry that is not an object", file('{"a":[1,2]}'), /expected tensor "a" to be an object/],
    ["a missing data_offsets", file('{"a":{"dtype":"F32","shape":[0]}}'), /data_offsets undefined/],
  ];

  for (const [what, bytes, message] of cases) {
    it(`rejects ${what}`, () => {
      expect(() => loadSafetensors(bytes)).toThrow(core.DataFormatError);
      expect(() => loadSafetensors(bytes)).toThrow(message);
    });
  }

  it("accepts the valid file those cases were made from", () => {
    expect(Object.keys(loadSafetensors(file(valid, data12)))).toEqual(["a", "b"]);
  });

  it("checks the whole file in safetensorsMetadata too", () => {
    expect(() => safetensorsMetadata(file(valid, new Uint8Array(11)))).toThrow(core.DataFormatError);
  });
});

describe("fuzzing: any bytes either load or throw DataFormatError, never anything else", () => {
  const rng = new core.Rng("safetensors-fuzz");
  const validFile = saveSafetensors(
    {
      w: core.randn([3, 2], { rng }),
      b: core.randn([2], { rng, dtype: "float64" }),
      "bn.num_batches_tracked": core.scalar(3),
    },
    { note: "fuzz" },
  );
  const loadsOrDataFormatError = (bytes: Uint8Array): boolean => {
    try {
      loadSafetensors(bytes);
      safetensorsMetadata(bytes);
      return true;
    } catch (error) {
      if (error instanceof core.DataFormatError) return true;
      throw error;
    }
  };

  it("random bytes, and random bytes behind a plausible header length", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), loadsOrDataFormatError), { numRuns: 500, seed: 14 });
    const withLength = fc
      .tuple(fc.integer({ min: 0, max: 200 }), fc.string({ maxLength: 150 }), fc.uint8Array({ maxLength: 64 }))
      .map(([n, header, tail]) => {
        const json = new TextEncoder().encode(`{${header}`);
        const out = new Uint8Array(8 + json.length + tail.length);
        new DataView(out.buffer).setUint32(0, Math.min(n, json.length), true);
        out.set(json, 8);
        out.set(tail, 8 + json.length);
        return out;
      });
    fc.assert(fc.property(withLength, loadsOrDataFormatError), { numRuns: 500, seed: 14 });
  });

  it("every truncation of a valid file is a DataFormatError", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: validFile.length - 1 }), (n) => {
        expect(() => loadSafetensors(validFile.slice(0, n))).toThrow(core.DataFormatError);
      }),
      { numRuns: 300, seed: 14 },
    );
  });

  it("random byte changes in a valid file either load or throw DataFormatError", () => {
    const change = fc.tuple(fc.nat({ max: validFile.length - 1 }), fc.integer({ min: 0, max: 255 }));
    const mutation = fc.array(change, { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(mutation, (changes) => {
        const bytes = validFile.slice();
        for (const [at, value] of changes) bytes[at] = value;
        return loadsOrDataFormatError(bytes);
      }),
      { numRuns: 1000, seed: 14 },
    );
  });
});
