// Weights between PyTorch and Slope in the safetensors format (issue #14):
// - PyTorch → Slope: tests/fixtures/torch/small-convnet{,-f64}.safetensors, written from a PyTorch model's
//   state_dict by scripts/fixtures/torch_nn_fixtures.py (F32 / F64 weights, BatchNorm's I64
//   num_batches_tracked, "__metadata__"), load into the same model built from @slope/nn with
//   loadStateDict(strict) and give PyTorch's eval-mode output;
// - Slope → PyTorch: a Slope-initialised model saved with saveSafetensors is a well-formed safetensors file
//   with PyTorch's keys that round-trips bit for bit; with SLOPE_SAFETENSORS_OUT=<folder> the test also
//   writes it (and what Slope computed) for scripts/fixtures/check_slope_safetensors.py, which loads it into
//   PyTorch with load_state_dict(strict=True) and compares the outputs (run by hand: it needs python3-torch).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { constant, noGrad } from "@slope/autograd";
import { DataFormatError, type DType, Rng, type Tensor, randn } from "@slope/core";
import * as nn from "@slope/nn";
import { describe, expect, it } from "vitest";
import {
  type JsonTensor,
  expectClose,
  exported,
  fixtureBytes,
  loadFixture,
  toTensor,
} from "./fixtures/torch/parity.js";

/**
 * float32 forward passes: PyTorch's and Slope's kernels sum the 27- to 36-term products of the convolutions and
 * the batch statistics in different orders, each rounding at 2⁻²⁴ ≈ 6e-8 per step; 1e-5 relative leaves room
 * for that and still catches any wrong weight (a wrong value or layout changes outputs by O(1)).
 */
const RTOL_FLOAT32 = 1e-5;
const RTOL = 1e-10;

interface ConvnetFixture {
  model: string;
  metadata: Record<string, string>;
  stateDict: Record<string, JsonTensor & { dtype: string }>;
  input: JsonTensor;
  outputFloat32: JsonTensor;
  outputFloat64: JsonTensor;
}
const fixture = loadFixture<ConvnetFixture>("small-convnet.json");
const KEYS = Object.keys(fixture.stateDict).sort();

type Safetensors = {
  saveSafetensors(moduleOrStateDict: nn.Module | Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array;
  loadSafetensors(bytes: Uint8Array): Record<string, Tensor>;
  safetensorsMetadata(bytes: Uint8Array): Record<string, string>;
};
const st = nn as unknown as Safetensors;
const available = exported(nn, "saveSafetensors", "loadSafetensors", "safetensorsMetadata");
const missing = available
  ? ""
  : " — skipped: @slope/nn does not export saveSafetensors/loadSafetensors/safetensorsMetadata";

/**
 * The fixture's model, torch_nn_fixtures.small_convnet(), from @slope/nn: the same layers in the same order,
 * so the same state-dict keys (0.* conv, 1.* BatchNorm2d, 4.weight grouped conv without bias, 8.* linear).
 */
function smallConvnet(rng: Rng, dtype: DType = "float32"): nn.Module {
  return new nn.Sequential(
    new nn.Conv2d(3, 8, 3, { padding: 1, rng, dtype }),
    new nn.BatchNorm2d(8, { dtype }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(8, 8, 3, { padding: 1, groups: 2, bias: false, rng, dtype }),
    new nn.ReLU(),
    new nn.AdaptiveAvgPool2d(1),
    new nn.Flatten(),
    new nn.Linear(8, 5, { rng, dtype }),
  );
}

/** The safetensors header of `bytes`, parsed by the format's definition (independently of Slope's reader). */
function parseHeader(bytes: Uint8Array): { length: number; header: Record<string, unknown> } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = Number(view.getBigUint64(0, true));
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + length));
  return { length, header: JSON.parse(text) as Record<string, unknown> };
}

const BYTES_PER: Record<string, number> = { F32: 4, F64: 8, I64: 8, I32: 4, F16: 2, BF16: 2, U8: 1 };

describe.skipIf(!available)(`a safetensors file written by PyTorch loads in Slope${missing}`, () => {
  it("loadSafetensors gives every tensor of PyTorch's state_dict with its shape and exact values", () => {
    const loaded = st.loadSafetensors(fixtureBytes("small-convnet.safetensors"));
    expect(Object.keys(loaded).sort()).toEqual(KEYS);
    for (const key of KEYS) {
      const want = fixture.stateDict[key]!;
      const got = loaded[key]!;
      if (want.dtype === "F32") expect(got.dtype, `${key}: dtype`).toBe("float32");
      expect(got.size, `${key}: size`).toBe(want.data.length);
      if (want.shape.length > 0) expect([...got.shape], `${key}: shape`).toEqual(want.shape);
      if (want.shape.length > 0)
        expectClose(got, want, 0, key); // F32 values, exactly
      else expect(got.data[0], key).toBe(want.data[0]);
    }
    // BatchNorm's counter is an int64 in PyTorch's file.
    expect(loaded["1.num_batches_tracked"]!.data[0]).toBe(2);
  });

  it("loadSafetensors reads the F64 file as float64", () => {
    const loaded = st.loadSafetensors(fixtureBytes("small-convnet-f64.safetensors"));
    expect(Object.keys(loaded).sort()).toEqual(KEYS);
    for (const key of KEYS) {
      if (fixture.stateDict[key]!.dtype === "F32") expect(loaded[key]!.dtype, key).toBe("float64");
    }
  });

  it("safetensorsMetadata gives the file's __metadata__", () => {
    expect(st.safetensorsMetadata(fixtureBytes("small-convnet.safetensors"))).toEqual(fixture.metadata);
  });

  it("the same model built from @slope/nn loads PyTorch's F32 weights (strict) and gives its eval output", () => {
    const model = smallConvnet(new Rng("unused"), "float32");
    model.loadStateDict(st.loadSafetensors(fixtureBytes("small-convnet.safetensors")), { strict: true });
    model.eval();
    const y = noGrad(() => model.forward(constant(toTensor(fixture.input, "float32"))));
    expect(y.dtype).toBe("float32");
    expectClose(y.value, fixture.outputFloat32, RTOL_FLOAT32, "Slope float32 vs PyTorch float32 output");
  });

  it("a float64 model loads PyTorch's F64 weights (strict) and gives its output within 1e-10", () => {
    const model = smallConvnet(new Rng("unused"), "float64");
    model.loadStateDict(st.loadSafetensors(fixtureBytes("small-convnet-f64.safetensors")), { strict: true });
    model.eval();
    const y = noGrad(() => model.forward(constant(toTensor(fixture.input))));
    expectClose(y.value, fixture.outputFloat64, RTOL, "Slope float64 vs PyTorch float64 output");
  });

  it("a truncated or malformed PyTorch file is a DataFormatError", () => {
    const bytes = fixtureBytes("small-convnet.safetensors");
    expect(() => st.loadSafetensors(bytes.subarray(0, bytes.length - 4))).toThrow(DataFormatError);
    expect(() => st.loadSafetensors(bytes.subarray(0, 5))).toThrow(DataFormatError);
    const badLength = bytes.slice();
    new DataView(badLength.buffer).setBigUint64(0, BigInt(bytes.length), true);
    expect(() => st.loadSafetensors(badLength)).toThrow(DataFormatError);
    const badJson = bytes.slice();
    badJson[8] = "[".charCodeAt(0);
    expect(() => st.loadSafetensors(badJson)).toThrow(DataFormatError);
  });
});

describe.skipIf(!available)(`a safetensors file written by Slope is what PyTorch reads${missing}`, () => {
  for (const dtype of ["float32", "float64"] as const) {
    const what = "saves to a well-formed file with PyTorch's keys that loads back bit for bit";
    it(`a Slope-initialised ${dtype} convnet ${what}`, () => {
      const rng = new Rng(`torch-parity-safetensors-${dtype}`);
      const model = smallConvnet(rng, dtype);
      model.train();
      // Two training batches move BatchNorm's running statistics and count num_batches_tracked to 2.
      for (let i = 0; i < 2; i++) noGrad(() => model.forward(constant(randn([4, 3, 8, 8], { rng, dtype }))));
      model.eval();
      const input = toTensor(fixture.input, dtype);
      const output = noGrad(() => model.forward(constant(input))).value;
      const metadata = { format: "pt", writer: "tests/torch-parity-safetensors.test.ts" };
      const bytes = st.saveSafetensors(model, metadata);

      // The format, read here independently of Slope's reader: 8-byte little-endian header length, a JSON
      // header {name: {dtype, shape, data_offsets}} (+ __metadata__ of strings), then the data, whose offsets
      // tile the rest of the file exactly (the reference implementation rejects gaps and overlaps).
      const { length, header } = parseHeader(bytes);
      expect((8 + length) % 8, "header padded to a multiple of 8 bytes (as the reference writer does)").toBe(0);
      expect(header.__metadata__).toEqual(metadata);
      const entries = Object.entries(header).filter(([k]) => k !== "__metadata__") as [
        string,
        { dtype: string; shape: number[]; data_offsets: [number, number] },
      ][];
      expect(entries.map(([k]) => k).sort()).toEqual(KEYS);
      const state = model.stateDict();
      let end = 0;
      for (const [key, info] of [...entries].sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0])) {
        expect(info.data_offsets[0], `${key}: begins where the previous tensor ends`).toBe(end);
        const count = info.shape.reduce((a, b) => a * b, 1);
        expect(info.data_offsets[1] - info.data_offsets[0], `${key}: byte length`).toBe(count * BYTES_PER[info.dtype]!);
        end = info.data_offsets[1];
        if (key.endsWith("num_batches_tracked")) {
          expect(count, `${key}: one count`).toBe(1);
        } else {
          expect(info.dtype, `${key}: dtype`).toBe(dtype === "float32" ? "F32" : "F64");
          expect(info.shape, `${key}: shape`).toEqual([...state[key]!.shape]);
        }
      }
      expect(8 + length + end, "the data ends where the file ends").toBe(bytes.length);

      const loaded = st.loadSafetensors(bytes);
      expect(st.safetensorsMetadata(bytes)).toEqual(metadata);
      for (const key of KEYS) {
        const a = loaded[key]!;
        const b = state[key]!;
        expect(a.size, key).toBe(b.size);
        for (let i = 0; i < b.size; i++) {
          if (!Object.is(a.data[i], b.data[i])) expect.fail(`${key}[${i}]: ${a.data[i]} ≠ ${b.data[i]}`);
        }
      }
      const copy = smallConvnet(new Rng("another initialisation"), dtype);
      copy.loadStateDict(loaded, { strict: true });
      copy.eval();
      const again = noGrad(() => copy.forward(constant(input))).value;
      for (let i = 0; i < output.size; i++) {
        if (!Object.is(again.data[i], output.data[i])) expect.fail(`reloaded model's output[${i}] differs`);
      }

      const folder = process.env.SLOPE_SAFETENSORS_OUT;
      if (folder) {
        const stem = join(folder, `slope-small-convnet${dtype === "float64" ? "-f64" : ""}`);
        mkdirSync(folder, { recursive: true });
        writeFileSync(`${stem}.safetensors`, bytes);
        const json = (t: Tensor) => ({ shape: [...t.shape], data: Array.from(t.data) });
        writeFileSync(`${stem}.json`, `${JSON.stringify({ dtype, input: json(input), output: json(output) })}\n`);
      }
    });
  }
});
