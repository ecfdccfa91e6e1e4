// Var's methods survive a bundler. @slope/autograd installs them from methods/: modules that export nothing, which
// a tree-shaking bundler drops unless the package's "sideEffects" lists them and the index that imports them. This
// bundles the built package (dist/) with vite, as examples/web is built, and runs the bundle. It needs `pnpm build`
// first (`pnpm test` does it) and is skipped when dist/ is missing.
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "vite";
import { describe, expect, it } from "vitest";

const built = existsSync(
  resolve(import.meta.dirname, "..", "packages", "autograd", "dist", "methods", "install-all.js"),
);
if (!built) console.warn("skipping the bundling test: @slope/autograd is not built (pnpm build)");

// Uses only a method and backward() through the methods; it imports no op, so nothing else keeps methods/ in.
const ENTRY = `
import { param } from "@slope/autograd";
import { tensor } from "@slope/core";
const x = param(tensor([1, 2, 3], { dtype: "float64" }));
x.mul(x).logSumExp().backward();
globalThis.slopeBundleResult = { grad: Array.from(x.grad.data), methods: typeof x.relu };
`;

describe.skipIf(!built)("@slope/autograd bundled with vite (tree shaking on)", () => {
  it("keeps every method: x.mul(x).logSumExp().backward() runs and gives ∂/∂x = 2x·softmax(x²)", async () => {
    const out = mkdtempSync(join(tmpdir(), "slope-bundle-"));
    try {
      await build({
        configFile: false,
        logLevel: "silent",
        root: import.meta.dirname, // resolves @slope/* from tests/node_modules, the built packages
        plugins: [
          {
            name: "slope-entry",
            resolveId: (id) => (id === "slope-entry" ? "\0slope-entry" : null),
            load: (id) => (id === "\0slope-entry" ? ENTRY : null),
          },
        ],
        build: { outDir: out, emptyOutDir: true, minify: true, rollupOptions: { input: "slope-entry" } },
      });
      const bundle = readdirSync(join(out, "assets")).find((f) => f.endsWith(".js"))!;
      await import(pathToFileURL(join(out, "assets", bundle)).href);
      const { grad, methods } = (globalThis as { slopeBundleResult?: { grad: number[]; methods: string } })
        .slopeBundleResult!;
      const squares = [1, 4, 9],
        total = squares.reduce((s, v) => s + Math.exp(v), 0);
      const expected = squares.map((v, i) => (2 * (i + 1) * Math.exp(v)) / total);
      expect(methods).toBe("function");
      expect(grad.map((g, i) => Math.abs(g - expected[i]!) < 1e-12)).toEqual([true, true, true]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
