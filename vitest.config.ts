import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Tests run against the TypeScript sources, so they never see a stale dist/.
export default defineConfig({
  resolve: {
    alias: [
      // The subpaths too: an un-aliased "@slope/core/node" would load dist/, a second copy of the kernels' registry,
      // and its enableThreads would switch that copy's kernels while every op ran on the sources' (one thread).
      { find: /^@slope\/core\/(node|browser|internal)$/, replacement: source("./packages/core/src/$1/index.ts") },
      { find: /^@slope\/data\/node$/, replacement: source("./packages/data/src/node/index.ts") },
      { find: /^@slope\/(core|autograd|optim|data|nn)$/, replacement: source("./packages/$1/src/index.ts") },
    ],
  },
  test: {
    include: ["packages/*/src/**/*.test.ts", "tests/**/*.test.ts", "examples/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
