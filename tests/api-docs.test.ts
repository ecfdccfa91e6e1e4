// The API reference (`pnpm run docs`) is TypeDoc over the five packages' doc comments, configured in
// docs/typedoc.json to treat an undocumented public export as a warning and warnings as errors. This test
// builds the real reference (into a temporary folder) and requires a clean exit, no warning and one page
// per package entry point. Then it proves the rule bites: the same validation settings, applied to a tiny
// package with one undocumented export, fail TypeDoc naming that export, and pass once it is documented.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const docs = join(root, "docs");
const typedoc = join(docs, "node_modules", "typedoc", "bin", "typedoc");
const scratch: string[] = [];

/** Runs TypeDoc with `args` from `cwd`: its exit status and everything it printed (colours leave the words whole). */
function runTypedoc(args: string[], cwd: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [typedoc, ...args], { cwd, encoding: "utf8", timeout: 180_000 });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function temporaryFolder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe("the API reference", () => {
  it("builds from the doc comments with no warning, one page per package entry point", () => {
    const out = temporaryFolder("slope-api-docs-");
    const { status, output } = runTypedoc(["--options", "typedoc.json", "--out", out], docs);
    expect(output).not.toContain("[warning]");
    expect(output).not.toContain("[error]");
    expect(status).toBe(0);
    const pages = [
      "core",
      "core_node",
      "core_browser",
      "core_internal",
      "autograd",
      "nn",
      "optim",
      "data",
      "data_node",
    ];
    for (const page of pages) expect(existsSync(join(out, "modules", `_slope_${page}.html`)), page).toBe(true);
    const optim = readFileSync(join(out, "modules", "_slope_optim.html"), "utf8");
    for (const name of ["SGD", "Adam", "stepDecay", "RandomSearch"]) expect(optim).toContain(name);
  }, 240_000);

  it("fails on an undocumented public export, by name, and passes once it is documented", () => {
    const config = JSON.parse(readFileSync(join(docs, "typedoc.json"), "utf8"));
    const dir = temporaryFolder("slope-api-docs-probe-");
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({ name: "@slope/probe", version: "0.0.0", type: "module" }),
    );
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          types: [],
          noEmit: true,
        },
        include: ["index.ts"],
      }),
    );
    // The reference's own validation rules, applied to the probe package.
    writeFileSync(
      join(dir, "typedoc.json"),
      JSON.stringify({
        entryPoints: ["./index.ts"],
        tsconfig: "./tsconfig.json",
        emit: "none",
        skipErrorChecking: true,
        validation: config.validation,
        treatWarningsAsErrors: config.treatWarningsAsErrors,
        disableSources: config.disableSources,
        requiredToBeDocumented: config.requiredToBeDocumented,
        packagesRequiringDocumentation: ["@slope/probe"],
      }),
    );
    const documented =
      "/** The area of a w × h rectangle. */\nexport function area(w: number, h: number): number {\n  return w * h;\n}\n";
    const undocumented = "export function perimeter(w: number, h: number): number {\n  return 2 * (w + h);\n}\n";

    writeFileSync(join(dir, "index.ts"), documented + undocumented);
    const failing = runTypedoc(["--options", "typedoc.json"], dir);
    expect(failing.status).not.toBe(0);
    expect(failing.output).toMatch(/perimeter \(CallSignature\).*does not have any documentation/);
    expect(failing.output).not.toMatch(/area \(CallSignature\)/);

    writeFileSync(join(dir, "index.ts"), `${documented}/** The perimeter of a w × h rectangle. */\n${undocumented}`);
    const passing = runTypedoc(["--options", "typedoc.json"], dir);
    expect(passing.output).not.toContain("[warning]");
    expect(passing.status).toBe(0);
  }, 240_000);
});
