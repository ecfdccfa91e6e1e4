// No module of Slope imports itself back through a chain of imports (issue #19). A cycle makes the order in
// which modules run depend on which one a program happens to import first, and it ties a leaf (Var, a dtype)
// to everything that uses it. The check counts type-only imports too: the sources are kept free of those
// cycles as well, which is stricter than the built JavaScript (where type-only imports are gone).
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseCircular, parseDependencyTree } from "dpdm";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");

/** Every import cycle among the files that `patterns` match under `cwd`, each as the list of its files. */
async function importCycles(patterns: string[], cwd: string): Promise<string[][]> {
  const tree = await parseDependencyTree(patterns, {
    cwd,
    context: cwd,
    exclude: /node_modules|\/dist\/|\.test\.ts$/, // other packages are reached through their dist/: each is checked from its own src/
    transform: false,
    skipDynamicImports: false,
    onProgress: () => {},
  });
  return parseCircular(tree);
}

describe("import cycles", () => {
  it("no module of packages/*/src, examples/src or examples/web/src imports itself back", async () => {
    const cycles = await importCycles(
      ["packages/*/src/**/*.ts", "examples/src/**/*.ts", "examples/web/src/**/*.ts"],
      root,
    );
    expect(cycles.map((files) => files.join(" -> "))).toEqual([]);
  });

  it("finds a cycle where there is one: a.ts imports b.js, which imports a.js back, as the sources import", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slope-cycles-"));
    try {
      writeFileSync(
        join(dir, "tsconfig.json"),
        JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext" } }),
      );
      writeFileSync(join(dir, "a.ts"), 'import { b } from "./b.js";\nexport const a = () => b();\n');
      writeFileSync(
        join(dir, "b.ts"),
        'import type { a } from "./a.js";\nexport const b = (): ReturnType<typeof a> | 0 => 0;\n',
      );
      writeFileSync(join(dir, "c.ts"), 'import { a } from "./a.js";\nexport const c = a;\n');
      const cycles = await importCycles(["*.ts"], dir);
      expect(cycles.map((files) => files.map((f) => f.replace(/^.*\//, "")).sort())).toEqual([["a.ts", "b.ts"]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the packages depend downward only: no @slope package depends on itself through the others", () => {
    const dependencies = new Map<string, string[]>();
    for (const name of readdirSync(join(root, "packages"))) {
      const manifest = JSON.parse(readFileSync(join(root, "packages", name, "package.json"), "utf8"));
      const all = { ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.devDependencies };
      dependencies.set(
        manifest.name,
        Object.keys(all).filter((d) => d.startsWith("@slope/")),
      );
    }
    expect([...dependencies.keys()].sort()).toEqual([
      "@slope/autograd",
      "@slope/core",
      "@slope/data",
      "@slope/nn",
      "@slope/optim",
    ]);
    const reachesItself = (start: string): boolean => {
      const seen = new Set<string>();
      const stack = [...(dependencies.get(start) ?? [])];
      while (stack.length > 0) {
        const next = stack.pop()!;
        if (next === start) return true;
        if (seen.has(next)) continue;
        seen.add(next);
        stack.push(...(dependencies.get(next) ?? []));
      }
      return false;
    };
    expect([...dependencies.keys()].filter(reachesItself)).toEqual([]);
    expect(dependencies.get("@slope/core")).toEqual([]);
  });
});
