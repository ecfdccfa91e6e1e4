import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain ES module script, without declarations
import { changesetProblems, entryPoints, exportedSpecifiers, tarballProblems } from "../scripts/release.mjs";

const script = fileURLToPath(new URL("../scripts/release.mjs", import.meta.url));

const map = (file: string, sources: string[], sourceRoot = "") =>
  JSON.stringify({ version: 3, file, sourceRoot, sources, names: [], mappings: "AAAA" });

/** A packed package as `pnpm pack` makes it from a workspace package with one dependency on another. */
function goodTarball(): Map<string, string> {
  return new Map([
    ["package.json", ""],
    ["README.md", "# @slope/demo"],
    ["LICENSE", "MIT"],
    ["CHANGELOG.md", "# @slope/demo\n\n## 0.1.0\n"],
    ["dist/index.js", 'export * from "./ops/add.js";\n//# sourceMappingURL=index.js.map'],
    ["dist/index.js.map", map("index.js", ["../src/index.ts"])],
    ["dist/index.d.ts", 'export * from "./ops/add.js";\n//# sourceMappingURL=index.d.ts.map'],
    ["dist/index.d.ts.map", map("index.d.ts", ["../src/index.ts"])],
    ["dist/ops/add.js", "export const add = 1;\n//# sourceMappingURL=add.js.map"],
    ["dist/ops/add.js.map", map("add.js", ["../../src/ops/add.ts"])],
    ["dist/ops/add.d.ts", "export declare const add = 1;\n//# sourceMappingURL=add.d.ts.map"],
    ["dist/ops/add.d.ts.map", map("add.d.ts", ["add.ts"], "../../src/ops/")],
    ["src/index.ts", 'export * from "./ops/add.js";'],
    ["src/ops/add.ts", "export const add = 1;"],
  ]);
}

const source = {
  name: "@slope/demo",
  version: "0.1.0",
  exports: { ".": { types: "./dist/index.d.ts", import: "./dist/index.js" }, "./ops": { import: "./dist/ops/add.js" } },
  dependencies: { "@slope/core": "workspace:^" },
};
const packedManifest = {
  ...source,
  main: "./dist/index.js",
  types: "./dist/index.d.ts",
  dependencies: { "@slope/core": "^0.1.0", seedrandom: "3.0.5" },
};
const versions = new Map([
  ["@slope/demo", "0.1.0"],
  ["@slope/core", "0.1.0"],
]);

function problemsOf(files: Map<string, string>, packed: Record<string, unknown> = packedManifest): string[] {
  const read = (file: string) => {
    const text = files.get(file);
    if (text === undefined) throw new Error(`no ${file} in the tarball`);
    return text;
  };
  return tarballProblems({ source, packed, files: [...files.keys()].sort(), read, versions });
}

describe("release dry run: what a tarball may hold", () => {
  it("finds nothing wrong in a tarball of dist/, the sources its maps point at (sourceRoot included) and the four top files", () => {
    expect(problemsOf(goodTarball())).toEqual([]);
  });

  it.each([
    ["src/ops/add.test.ts", "is a test file"],
    ["dist/ops/add.test.js", "is a test file"],
    ["dist/ops/add.test.d.ts", "is a test file"],
    ["src/__tests__/helper.ts", "is a test folder"],
    ["src/fixtures/cifar.ts", "is a test folder"],
    ["src/.tsbuildinfo", "compiler state"],
    [".tsbuildinfo", "should not ship"],
    ["tsconfig.json", "should not ship"],
    ["src/kernels.wasm", "is not a TypeScript source"],
  ])("refuses %s", (file, reason) => {
    const files = goodTarball();
    files.set(file, "");
    const problems = problemsOf(files);
    expect(problems.some((problem) => problem.includes(file) && problem.includes(reason))).toBe(true);
  });

  it.each(["dist/index.d.ts", "CHANGELOG.md", "README.md", "LICENSE"])("requires %s", (file) => {
    const files = goodTarball();
    files.delete(file);
    expect(problemsOf(files)).toContain(`@slope/demo: the tarball has no ${file}`);
  });

  it("names a source map whose source is not in the tarball, and says the build may be stale", () => {
    const files = goodTarball();
    files.delete("src/ops/add.ts");
    const problems = problemsOf(files);
    expect(problems).toContain(
      "@slope/demo: dist/ops/add.js.map points at ../../src/ops/add.ts, and src/ops/add.ts is not in the tarball " +
        "(a build output whose source is gone? rm -r packages/*/dist packages/*/.tsbuildinfo && pnpm build)",
    );
    // The declaration map resolves through its sourceRoot to the same missing file.
    expect(problems.filter((problem) => problem.includes("src/ops/add.ts is not in the tarball"))).toHaveLength(2);
  });

  it("refuses maps that point outside the tarball, maps without sources, and output without its map", () => {
    const files = goodTarball();
    files.set("dist/index.js.map", map("index.js", ["../../../elsewhere/index.ts"]));
    files.set("dist/ops/add.js.map", map("add.js", []));
    files.set("dist/ops/add.d.ts", "export declare const add = 1;");
    const problems = problemsOf(files);
    expect(problems).toContain(
      "@slope/demo: dist/index.js.map points at ../../../elsewhere/index.ts, outside the package",
    );
    expect(problems).toContain("@slope/demo: dist/ops/add.js.map lists no sources");
    expect(problems).toContain("@slope/demo: dist/ops/add.d.ts has no sourceMappingURL comment");
  });

  it("refuses a shipped source that no map points at", () => {
    const files = goodTarball();
    files.set("src/unused.ts", "export {};");
    expect(problemsOf(files)).toEqual(["@slope/demo: src/unused.ts ships, but no source map points at it"]);
  });

  it("refuses workspace: ranges left in any dependency field, and internal ranges that miss the published version", () => {
    const problems = problemsOf(goodTarball(), {
      ...packedManifest,
      dependencies: { "@slope/core": "^0.0.9" },
      peerDependencies: { "@slope/nn": "workspace:*" },
      devDependencies: { "@slope/core": "workspace:^" },
    });
    expect(problems).toEqual([
      "@slope/demo: dependencies.@slope/core is ^0.0.9, but the workspace publishes @slope/core@0.1.0",
      "@slope/demo: peerDependencies.@slope/nn is still workspace:*",
      "@slope/demo: devDependencies.@slope/core is still workspace:^",
    ]);
  });

  it("refuses a package.json that points at files the tarball lacks, or a name and version other than the workspace's", () => {
    const problems = problemsOf(goodTarball(), {
      ...packedManifest,
      version: "0.2.0",
      exports: { ...source.exports, "./node": "./dist/node/index.js" },
    });
    expect(problems).toContain("@slope/demo: packed as @slope/demo@0.2.0, the workspace has @slope/demo@0.1.0");
    expect(problems).toContain("@slope/demo: package.json points at dist/node/index.js, which is not in the tarball");
  });

  it("reads every entry point and import specifier from main, types and nested exports", () => {
    expect(entryPoints(packedManifest)).toEqual(["dist/index.js", "dist/index.d.ts", "dist/ops/add.js"]);
    expect(exportedSpecifiers(packedManifest)).toEqual(["@slope/demo", "@slope/demo/ops"]);
    expect(exportedSpecifiers({ name: "plain", main: "index.js" })).toEqual(["plain"]);
  });
});

describe("pnpm release without --dry-run", () => {
  it.each([[[]], [["--keep"]], [["--dry-run", "--confirm-publish"]], [["--publish"]]])(
    "refuses %j with exit code 2 and the usage, before it builds or publishes anything",
    (args) => {
      const result = spawnSync(process.execPath, [script, ...args], { encoding: "utf8", timeout: 30_000 });
      expect(result.status).toBe(2);
      expect(result.stderr).toContain("pnpm release --dry-run");
      expect(result.stdout).not.toContain("built every package");
    },
  );
});

describe("release dry run: the changesets", () => {
  const config = { access: "public", ignore: ["@slope/examples"] };
  const workspace = [
    { name: "@slope/core", version: "0.1.0" },
    { name: "@slope/nn", version: "0.1.0" },
    { name: "@slope/examples", version: "0.1.0", private: true },
  ];
  const check = (pending: { file: string; text: string }[], overrides = {}) =>
    changesetProblems({ config: { ...config, ...overrides }, workspace, pending });

  it("accepts the config and changesets in the form pnpm changeset writes them", () => {
    const text = "---\n\"@slope/core\": minor\n'@slope/nn': patch\n---\n\nconv2d takes dilation\n";
    expect(check([{ file: "brave-dogs-run.md", text }])).toEqual([]);
  });

  it("names changesets for unknown or private packages, unknown bumps and missing front matter", () => {
    const problems = check([
      { file: "a.md", text: '---\n"@slope/tensor": minor\n"@slope/examples": patch\n"@slope/nn": big\n---\n\ntext\n' },
      { file: "b.md", text: "no front matter\n" },
    ]);
    expect(problems).toEqual([
      ".changeset/a.md names @slope/tensor, which is not a workspace package",
      ".changeset/a.md names @slope/examples, which is private and never released",
      ".changeset/a.md: @slope/nn: big is not major, minor, patch or none",
      '.changeset/b.md: no front matter (--- "package": patch | minor | major ---)',
    ]);
  });

  it("refuses a config that would publish scoped packages as restricted or ignores a package that does not exist", () => {
    expect(check([], { access: "restricted", ignore: ["@slope/gone"] })).toEqual([
      '.changeset/config.json: access is restricted; scoped packages publish as restricted without "public"',
      ".changeset/config.json ignores @slope/gone, which is not a workspace package",
    ]);
  });

  it("passes the repository's own .changeset folder", () => {
    const folder = fileURLToPath(new URL("../.changeset/", import.meta.url));
    const own = JSON.parse(readFileSync(join(folder, "config.json"), "utf8"));
    const pending = readdirSync(folder)
      .filter((file) => file.endsWith(".md") && file !== "README.md")
      .map((file) => ({ file, text: readFileSync(join(folder, file), "utf8") }));
    // The workspace's packages, from pnpm-workspace.yaml's entries ("packages/*", "examples", ...).
    const rootDir = fileURLToPath(new URL("../", import.meta.url));
    const entries = [
      ...readFileSync(join(rootDir, "pnpm-workspace.yaml"), "utf8").matchAll(/^\s*-\s*["']?([^"'\s]+)["']?\s*$/gm),
    ].map((match) => match[1] ?? "");
    const folders = entries.flatMap((entry) =>
      entry.endsWith("/*")
        ? readdirSync(join(rootDir, entry.slice(0, -2))).map((name) => `${entry.slice(0, -2)}/${name}`)
        : [entry],
    );
    const manifests = folders.map((dir) => JSON.parse(readFileSync(join(rootDir, dir, "package.json"), "utf8")));
    expect(manifests.length).toBeGreaterThanOrEqual(9);
    expect(changesetProblems({ config: own, workspace: manifests, pending })).toEqual([]);
    expect([...own.ignore].sort()).toEqual(
      manifests
        .filter((m) => m.private)
        .map((m) => m.name)
        .sort(),
    );
  });
});
