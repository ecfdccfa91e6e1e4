import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Tests run against the TypeScript sources, so they never see a stale dist/.
export default defineConfig({
  resolve: {
    alias: [
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
