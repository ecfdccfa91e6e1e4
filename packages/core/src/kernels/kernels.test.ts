import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { allocate } from "../buffers.js";
import { Rng } from "../rng.js";
import { jsKernels } from "./js.js";
import { kernels } from "./registry.js";
import { kernelMemory } from "./wasm/kernel-memory.js";
import { createWasmKernels, singleThreadWasm } from "./wasm/wasm-backend.js";

const wasm = createWasmKernels();

/** Arrays that live in the kernel memory (owned storage). */
function resident(sizes: number[]): Float32Array[] {
  return sizes.map((size) => {
    const array = kernelMemory()!.ownFloat32(size);
    if (array === null) throw new Error(`no room in the kernel memory for ${size} floats`);
    return array;
  });
}

describe("the kernel backends", () => {
  it("WebAssembly SIMD is the default where the platform has it", () => {
    expect(wasm).not.toBeNull();
    expect(kernels().name).toBe("wasm-simd");
  });

  it.each([
    [256, 3073, 10],
    [3073, 256, 10],
    [256, 10, 3073],
    [33, 65, 17],
    [7, 512, 9],
    [64, 64, 64],
    [5, 1000, 3],
    [130, 4, 130],
    // every remainder of the kernels' blocks: rows mod 4 and 16, columns mod 2, 4 and 16, k mod 4, k around the short-k switch
    [37, 45, 19],
    [19, 131, 23],
    [6, 999, 7],
    [255, 33, 17],
    [3, 3073, 10],
    [100, 256, 10],
    [256, 100, 10],
    [256, 31, 100],
    [61, 32, 35],
    [17, 1, 1025],
  ])("WebAssembly and JavaScript matmul agree to float32 rounding at %i×%i·%i×…, in every transposition", (m, k, n) => {
    const rng = new Rng(`${m}-${k}-${n}`);
    const a = Float32Array.from({ length: m * k }, () => rng.normal());
    const b = Float32Array.from({ length: k * n }, () => rng.normal());
    for (const [transposeA, transposeB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const fromJs = allocate("float32", m * n);
      const fromWasm = allocate("float32", m * n);
      jsKernels.matmul(fromJs, 0, a, 0, b, 0, m, k, n, transposeA, transposeB);
      wasm!.matmul(fromWasm, 0, a, 0, b, 0, m, k, n, transposeA, transposeB);
      let worst = 0;
      for (let i = 0; i < m * n; i++)
        worst = Math.max(worst, Math.abs(fromJs[i]! - fromWasm[i]!) / (1 + Math.abs(fromJs[i]!)));
      // float32 sums of k products of N(0,1): rounding grows like √k · 2⁻²⁴.
      expect(worst).toBeLessThan(1e-6 * Math.sqrt(k) * 4);
    }
  });

  it("WebAssembly elementwise arithmetic gives JavaScript's bits, specials included, for arrays, scalars and ragged lengths", () => {
    const rng = new Rng("elementwise");
    const n = 10_003; // not a multiple of 4: the scalar tail runs too
    const specials = [0, -0, Infinity, -Infinity, NaN, 1e-40, -3e38, 3e38, 1];
    const draw = (size: number) =>
      Float32Array.from({ length: size }, (_, i) =>
        i < specials.length ? specials[i]! : rng.normal() * 10 ** rng.int(5),
      );
    const a = draw(n),
      b = draw(n).reverse(),
      s = Float32Array.of(-1.5);
    const cases: [Float32Array, number[], Float32Array, number[]][] = [
      [a, [1], b, [1]],
      [a, [1], s, [0]],
      [s, [0], b, [1]],
    ];
    for (const op of ["add", "sub", "mul", "div"] as const) {
      for (const [x, xs, y, ys] of cases) {
        const fromJs = allocate("float32", n),
          fromWasm = allocate("float32", n);
        jsKernels.binary(op, fromJs, [n], { data: x, strides: xs }, { data: y, strides: ys });
        wasm!.binary(op, fromWasm, [n], { data: x, strides: xs }, { data: y, strides: ys });
        expect(Buffer.from(fromWasm.buffer).equals(Buffer.from(fromJs.buffer))).toBe(true);
      }
    }
  });

  it("WebAssembly elementwise arithmetic on broadcast rows (a bias on every row) gives JavaScript's bits", () => {
    const rng = new Rng("rows");
    const module = singleThreadWasm()!;
    const [rows, cols] = [257, 101];
    const full = Float32Array.from({ length: rows * cols }, () => rng.normal() * 100),
      row = Float32Array.from({ length: cols }, () => rng.normal());
    const scalar = Float32Array.of(0.1),
      column = Float32Array.from({ length: rows }, () => rng.normal());
    // [operand, strides over [rows, cols]] pairs, and whether WebAssembly takes them (a repeated column it leaves to JavaScript).
    const cases: [Float32Array, number[], Float32Array, number[], boolean][] = [
      [full, [cols, 1], row, [0, 1], true],
      [row, [0, 1], full, [cols, 1], true],
      [row, [0, 1], scalar, [0, 0], true],
      [full, [cols, 1], column, [1, 0], false],
    ];
    for (const op of ["add", "sub", "mul", "div"] as const) {
      for (const [x, xs, y, ys, taken] of cases) {
        const fromJs = allocate("float32", rows * cols),
          fromWasm = allocate("float32", rows * cols);
        jsKernels.binary(op, fromJs, [rows, cols], { data: x, strides: xs }, { data: y, strides: ys });
        expect(module.binary(op, fromWasm, [rows, cols], { data: x, strides: xs }, { data: y, strides: ys })).toBe(
          taken,
        );
        if (taken)
          expect(Buffer.from(fromWasm.buffer).equals(Buffer.from(fromJs.buffer)), `${op} ${xs} ${ys}`).toBe(true);
      }
    }
  });

  it("WebAssembly one-operand ops give JavaScript's bits, specials included", () => {
    const rng = new Rng("unary");
    const specials = [0, -0, Infinity, -Infinity, NaN, 1e-40, -1e-40, -3e38, 3e38, 1, -1, -2.5];
    const x = Float32Array.from({ length: 9_999 }, (_, i) =>
      i < specials.length ? specials[i]! : rng.normal() * 10 ** rng.int(4),
    );
    for (const op of ["neg", "abs", "sqrt", "square", "relu", "step"] as const) {
      const fromJs = allocate("float32", x.length),
        fromWasm = allocate("float32", x.length);
      jsKernels.unary(op, fromJs, x);
      wasm!.unary(op, fromWasm, x);
      const differing = fromJs.findIndex(
        (v, i) => !Object.is(v, fromWasm[i]) && !(Number.isNaN(v) && Number.isNaN(fromWasm[i])),
      );
      expect(differing, `${op} at ${differing}: ${x[differing]} → ${fromJs[differing]} vs ${fromWasm[differing]}`).toBe(
        -1,
      );
      expect(
        Buffer.from(fromWasm.buffer).equals(Buffer.from(fromJs.buffer)),
        `${op}: the same bits, NaN payloads included`,
      ).toBe(true);
    }
  });

  it("WebAssembly axpy gives JavaScript's bits and sumOfSquares its value, in double precision", () => {
    const rng = new Rng("axpy");
    const n = 50_001;
    const x = Float32Array.from({ length: n }, () => rng.normal() * 100);
    const y = Float32Array.from({ length: n }, () => rng.normal());
    const fromJs = y.slice(),
      fromWasm = y.slice();
    jsKernels.axpy(fromJs, -1e-3 / 3, x);
    wasm!.axpy(fromWasm, -1e-3 / 3, x);
    expect(Buffer.from(fromWasm.buffer).equals(Buffer.from(fromJs.buffer))).toBe(true);
    const exact = jsKernels.sumOfSquares(x);
    expect(Math.abs(wasm!.sumOfSquares(x) - exact) / exact).toBeLessThan(1e-13); // only the order of the f64 sum differs
  });

  it("bytes to floats: (byte − offset)·factor in double precision, rounded once, on both backends", () => {
    const rng = new Rng("bytes");
    const module = singleThreadWasm()!;
    // Ragged row lengths (not whole vectors), a picked and repeated row order, and more rows than
    // one chunk of the module holds; offsets of every size, where float32 arithmetic would round twice.
    for (const [rowLength, rowCount, outStride] of [
      [3072, 1400, 3073],
      [37, 300, 37],
      [3072, 8, 3072],
    ] as const) {
      const bytes = Uint8Array.from({ length: 2000 * rowLength }, () => rng.int(256));
      const rows = Int32Array.from({ length: rowCount }, () => rng.int(2000));
      const offset = Float32Array.from(
        { length: rowLength },
        (_, k) => [1e-30, -3.5e-9, 127.51, 3e7][k % 4]! * (1 + rng.uniform()),
      );
      // The same rows where the data set, the batch and the indices live in the kernel memory (a loader's gather).
      const memory = kernelMemory()!;
      const residentBytes = memory.ownBytes(bytes.length)!;
      residentBytes.set(bytes);
      const residentRows = memory.ownInt32(rowCount)!;
      residentRows.set(rows);
      for (const [factor, withOffset] of [
        [1 / 255, true],
        [1 / 3, false],
        [1, false],
        [1, true], // subtraction alone: float32 lanes, the same bits as f64 rounded once
      ] as const) {
        const expected = new Float32Array(rowCount * outStride).fill(-7);
        for (let r = 0; r < rowCount; r++) {
          for (let k = 0; k < rowLength; k++)
            expected[r * outStride + k] = (bytes[rows[r]! * rowLength + k]! - (withOffset ? offset[k]! : 0)) * factor;
        }
        const fromJs = new Float32Array(rowCount * outStride).fill(-7),
          fromWasm = fromJs.slice(); // columns past rowLength stay -7
        jsKernels.bytesToFloats(fromJs, outStride, bytes, rowLength, rows, withOffset ? offset : null, factor);
        expect(
          module.bytesToFloats(fromWasm, outStride, bytes, rowLength, rows, withOffset ? offset : null, factor),
        ).toBe(true);
        expect(
          Buffer.from(fromJs.buffer).equals(Buffer.from(expected.buffer)),
          `JavaScript ${rowLength}×${rowCount}`,
        ).toBe(true);
        expect(
          Buffer.from(fromWasm.buffer).equals(Buffer.from(expected.buffer)),
          `WebAssembly ${rowLength}×${rowCount}`,
        ).toBe(true);
        for (const [out, picked] of [
          [memory.ownFloat32(rowCount * outStride)!, residentRows],
          [memory.ownFloat32(rowCount * outStride)!, rows],
          [new Float32Array(rowCount * outStride), residentRows],
        ] as const) {
          out.fill(-7);
          const given = withOffset ? offset : null;
          expect(module.bytesToFloats(out, outStride, residentBytes, rowLength, picked, given, factor)).toBe(true);
          const same = Buffer.from(out.buffer, out.byteOffset, out.byteLength).equals(Buffer.from(expected.buffer));
          expect(same, `in the kernel memory, ${rowLength}×${rowCount}, factor ${factor}`).toBe(true);
        }
      }
    }
  });

  it("matmul of a batch at an offset, as batched products use it", () => {
    const rng = new Rng("offset");
    const a = Float32Array.from({ length: 3 * 64 * 32 }, () => rng.normal());
    const b = Float32Array.from({ length: 32 * 48 }, () => rng.normal());
    const fromJs = allocate("float32", 3 * 64 * 48),
      fromWasm = allocate("float32", 3 * 64 * 48);
    for (let i = 0; i < 3; i++) {
      jsKernels.matmul(fromJs, i * 64 * 48, a, i * 64 * 32, b, 0, 64, 32, 48, false, false);
      wasm!.matmul(fromWasm, i * 64 * 48, a, i * 64 * 32, b, 0, 64, 32, 48, false, false);
    }
    for (let i = 0; i < fromJs.length; i++) expect(Math.abs(fromJs[i]! - fromWasm[i]!)).toBeLessThan(1e-4);
  });

  it("ops on arrays in the kernel memory read and write them in place, with the bits of copies", () => {
    const rng = new Rng("resident");
    const fill = (x: Float32Array) => {
      for (let i = 0; i < x.length; i++) x[i] = rng.normal();
      return x;
    };
    const plain = (n: number) => fill(new Float32Array(n));
    const same = (x: Float32Array, y: Float32Array) =>
      Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));
    // Products of every transposition, long and short k, with each operand in the module or not.
    for (const [m, k, n] of [
      [67, 45, 19],
      [40, 7, 33],
    ] as const) {
      for (const [tA, tB] of [
        [false, false],
        [false, true],
        [true, false],
        [true, true],
      ] as const) {
        for (let where = 0; where < 8; where++) {
          const [a, b, c] = resident([m * k, k * n, m * n]);
          const inA = where & 1 ? fill(a!) : plain(m * k),
            inB = where & 2 ? fill(b!) : plain(k * n),
            out = where & 4 ? c! : new Float32Array(m * n);
          const expected = new Float32Array(m * n);
          wasm!.matmul(expected, 0, inA.slice(), 0, inB.slice(), 0, m, k, n, tA, tB);
          wasm!.matmul(out, 0, inA, 0, inB, 0, m, k, n, tA, tB);
          expect(same(out, expected), `${m}×${k}×${n} ${tA} ${tB} resident ${where.toString(2)}`).toBe(true);
        }
      }
    }
    // Elementwise, one-operand (the result never overwrites an x that lives there), axpy, Σx², bytes.
    const n = 5003;
    const [x, y, z] = resident([n, n, n]).map(fill);
    const copyOf = (v: Float32Array) => v.slice();
    const sum = new Float32Array(n),
      fromCopies = new Float32Array(n);
    wasm!.binary("mul", sum, [n], { data: x!, strides: [1] }, { data: y!, strides: [1] });
    wasm!.binary("mul", fromCopies, [n], { data: copyOf(x!), strides: [1] }, { data: copyOf(y!), strides: [1] });
    expect(same(sum, fromCopies)).toBe(true);
    const xBefore = copyOf(x!);
    const root = new Float32Array(n);
    wasm!.unary("sqrt", root, x!);
    expect(same(x!, xBefore)).toBe(true);
    wasm!.unary("sqrt", z!, xBefore);
    expect(same(z!, root)).toBe(true);
    const yCopy = copyOf(y!);
    wasm!.axpy(y!, -0.5, x!);
    wasm!.axpy(yCopy, -0.5, xBefore);
    expect(same(y!, yCopy)).toBe(true);
    expect(wasm!.sumOfSquares(x!)).toBe(wasm!.sumOfSquares(xBefore));
    const bytes = Uint8Array.from({ length: 64 * 100 }, () => rng.int(256));
    const [features] = resident([64 * 101]);
    features!.fill(-1);
    const expectedFeatures = new Float32Array(64 * 101).fill(-1);
    const rows = Int32Array.from({ length: 64 }, () => rng.int(64));
    wasm!.bytesToFloats(features!, 101, bytes, 100, rows, null, 1 / 3);
    jsKernels.bytesToFloats(expectedFeatures, 101, bytes, 100, rows, null, 1 / 3);
    expect(same(features!, expectedFeatures)).toBe(true);
  });

  it("WebAssembly scatterAddAt adds in order (repeated indices too) with JavaScript's bits, and refuses a bad index whole", () => {
    const rng = new Rng("scatter");
    const module = singleThreadWasm()!;
    const n = 20_003,
      size = 9_000; // more indices than places: many repeat
    const x = Float32Array.from({ length: n }, () => rng.normal() * 10);
    const indices = Int32Array.from({ length: n }, () => rng.int(size));
    for (const out of [new Float32Array(size), kernelMemory()!.ownFloat32(size)!]) {
      const fromJs = new Float32Array(size);
      expect(jsKernels.scatterAddAt(fromJs, x, indices)).toBe(-1);
      expect(module.scatterAddAt(out, x, indices)).toBe(-1);
      expect(Buffer.from(out.buffer, out.byteOffset, out.byteLength).equals(Buffer.from(fromJs.buffer))).toBe(true);
      const before = out.slice();
      const bad = indices.slice();
      bad[12_345] = size; // one past the end
      expect(module.scatterAddAt(out, x, bad)).toBe(12_345);
      expect(jsKernels.scatterAddAt(fromJs, x, bad)).toBe(12_345);
      expect(Buffer.from(out.buffer, out.byteOffset, out.byteLength).equals(Buffer.from(before.buffer))).toBe(true);
    }
  });

  it("the kernel memory grows for a call's scratch without detaching what lives there", () => {
    const rng = new Rng("fixed");
    const [small] = resident([64 * 64]);
    for (let i = 0; i < small!.length; i++) small![i] = rng.normal();
    // A product whose operands from outside need far more scratch than that memory was given.
    const before = small!.slice();
    const grownFrom = kernelMemory()!.stats().memoryBytes;
    const big = Float32Array.from({ length: 64 * 300_000 }, () => rng.normal());
    const out = new Float32Array(64 * 300_000),
      expected = new Float32Array(64 * 300_000);
    jsKernels.matmul(expected, 0, small!, 0, big, 0, 64, 64, 300_000, false, false);
    wasm!.matmul(out, 0, small!, 0, big, 0, 64, 64, 300_000, false, false);
    expect(kernelMemory()!.stats().memoryBytes).toBeGreaterThan(grownFrom);
    expect(small!.length).toBe(64 * 64);
    expect(kernelMemory()!.holds(small!)).toBe(true);
    expect(Buffer.from(small!.buffer, small!.byteOffset, small!.byteLength).equals(Buffer.from(before.buffer))).toBe(
      true,
    );
    for (let i = 0; i < out.length; i += 997) expect(Math.abs(out[i]! - expected[i]!)).toBeLessThan(1e-3);
  });

  it("the committed WebAssembly module is the one assembly/kernels.ts compiles to", () => {
    const script = resolve(import.meta.dirname, "..", "..", "scripts", "build-wasm.mjs");
    const run = spawnSync(process.execPath, [script, "--check"], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  }, 60_000);
});
