import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { allocate } from "../dtype.js";
import { Rng } from "../rng.js";
import { jsKernels } from "./js.js";
import { kernels } from "./registry.js";
import { createWasmKernels } from "./wasm/wasm-kernels.js";

const wasm = createWasmKernels();

describe("the kernel backends", () => {
  it("WebAssembly SIMD is the default where the platform has it", () => {
    expect(wasm).not.toBeNull();
    expect(kernels().name).toBe("wasm-simd");
  });

  it.each([
    [256, 3073, 10], [3073, 256, 10], [256, 10, 3073], [33, 65, 17], [7, 512, 9], [64, 64, 64], [5, 1000, 3], [130, 4, 130],
  ])("WebAssembly and JavaScript matmul agree to float32 rounding at %i×%i·%i×…, in every transposition", (m, k, n) => {
    const rng = new Rng(`${m}-${k}-${n}`);
    const a = Float32Array.from({ length: m * k }, () => rng.normal());
    const b = Float32Array.from({ length: k * n }, () => rng.normal());
    for (const [transposeA, transposeB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const fromJs = allocate("float32", m * n);
      const fromWasm = allocate("float32", m * n);
      jsKernels.matmul(fromJs, 0, a, 0, b, 0, m, k, n, transposeA, transposeB);
      wasm!.matmul(fromWasm, 0, a, 0, b, 0, m, k, n, transposeA, transposeB);
      let worst = 0;
      for (let i = 0; i < m * n; i++) worst = Math.max(worst, Math.abs(fromJs[i]! - fromWasm[i]!) / (1 + Math.abs(fromJs[i]!)));
      // float32 sums of k products of N(0,1): rounding grows like √k · 2⁻²⁴.
      expect(worst).toBeLessThan(1e-6 * Math.sqrt(k) * 4);
    }
  });

  it("matmul of a batch at an offset, as batched products use it", () => {
    const rng = new Rng("offset");
    const a = Float32Array.from({ length: 3 * 64 * 32 }, () => rng.normal());
    const b = Float32Array.from({ length: 32 * 48 }, () => rng.normal());
    const fromJs = allocate("float32", 3 * 64 * 48), fromWasm = allocate("float32", 3 * 64 * 48);
    for (let i = 0; i < 3; i++) {
      jsKernels.matmul(fromJs, i * 64 * 48, a, i * 64 * 32, b, 0, 64, 32, 48, false, false);
      wasm!.matmul(fromWasm, i * 64 * 48, a, i * 64 * 32, b, 0, 64, 32, 48, false, false);
    }
    for (let i = 0; i < fromJs.length; i++) expect(Math.abs(fromJs[i]! - fromWasm[i]!)).toBeLessThan(1e-4);
  });

  it("the committed WebAssembly module is the one assembly/matmul.ts compiles to", () => {
    const script = resolve(import.meta.dirname, "..", "..", "scripts", "build-wasm.mjs");
    const run = spawnSync(process.execPath, [script, "--check"], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  }, 60_000);
});
