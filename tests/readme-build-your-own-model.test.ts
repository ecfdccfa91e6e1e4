// The README's "Build your own model" section is a program: its ```ts blocks, in order, joined. This test
// runs it exactly as written, the way a user who installed the packages would: it builds the packages
// (`tsc -b`, incremental), writes the blocks into a folder inside tests/ (whose node_modules link the
// workspace packages, so "@slope/*" resolve to their built dist/ as an installed package does), compiles
// them with tsc under the repo's strict options — so the snippet type-checks, casts and all — and runs
// the output with node. The program asserts its own claims (accuracy, an exact reload, the gradient
// check) and throws otherwise; the test also checks the lines it prints.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const HEADING = "## Build your own model";

/** The ```ts blocks between the heading and the next level-2 heading, in order. */
function snippetBlocks(readme: string): string[] {
  const start = readme.indexOf(`\n${HEADING}\n`);
  if (start < 0) throw new Error(`README.md has no "${HEADING}" section`);
  const rest = readme.slice(start + HEADING.length + 2);
  const end = rest.search(/^## /m);
  const section = end < 0 ? rest : rest.slice(0, end);
  return [...section.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

function run(command: string, args: string[], cwd: string, timeout: number): string {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    const what = [command, ...args].join(" ");
    throw new Error(`${what} exited with ${result.status}:\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

describe("the README's Build your own model section", () => {
  const blocks = snippetBlocks(readFileSync(join(root, "README.md"), "utf8"));
  let dir = "";
  let output = "";

  beforeAll(() => {
    run(process.execPath, [tsc, "-b", "packages/nn", "packages/optim", "packages/data"], root, 120_000);
    dir = mkdtempSync(join(root, "tests", ".readme-build-your-own-model-"));
    writeFileSync(join(dir, "main.ts"), blocks.join("\n"));
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
      extends: "../../tsconfig.base.json",
      compilerOptions: {
        composite: false, declaration: false, declarationMap: false, sourceMap: false, types: ["node"],
        rootDir: ".", outDir: "out",
      },
      include: ["main.ts"],
    }));
    run(process.execPath, [tsc, "-p", "tsconfig.json"], dir, 120_000);
    output = run(process.execPath, [join(dir, "out", "main.js")], dir, 120_000);
  }, 240_000);

  afterAll(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  it("has the five steps as ts blocks: define, train, evaluate, save and load, gradient-check", () => {
    expect(blocks.length).toBe(5);
    expect(blocks[0]).toContain("extends Module");
    expect(blocks[0]).toContain("new Sequential(");
    expect(blocks[1]).toContain("new DataLoader(");
    expect(blocks[2]).toContain("net.eval()");
    expect(blocks[3]).toContain("loadSafetensors(");
    expect(blocks[4]).toContain('to("float64")');
    expect(blocks[4]).toContain("gradCheck(");
  });

  it("compiles under the repo's strict options (in beforeAll) with no cast or ts-ignore", () => {
    expect(blocks.join("\n")).not.toMatch(/\bas (unknown|any)\b|@ts-(ignore|expect-error)/);
  });

  it("prints PyTorch's repr and names, and the parameter count 5370", () => {
    expect(output).toContain("Net(\n  (conv): Conv2d(3, 8, kernel_size=(3, 3)");
    expect(output).toContain("conv.weight conv.bias bn.weight bn.bias fc.weight fc.bias");
    expect(output).toMatch(/^5370$/m);
  });

  it("trains: the mean loss falls from the first epoch to the second", () => {
    const losses = [...output.matchAll(/^epoch \d: mean loss ([\d.]+)$/gm)].map((m) => Number(m[1]));
    expect(losses.length).toBe(2);
    expect(losses[1]).toBeLessThan(losses[0]!);
  });

  it("reaches more than 50% test accuracy (chance: 10%), as the README's comment says", () => {
    const accuracy = Number(/^test accuracy ([\d.]+)%$/m.exec(output)?.[1]);
    expect(accuracy).toBeGreaterThan(50);
    const claimed = /console\.log\(`test accuracy .*?\/\/ ([\d.]+)%/.exec(blocks[2]!)?.[1];
    expect(claimed, "the accuracy in the README's comment is the one the program prints: update the comment").toBe(
      accuracy.toFixed(1),
    );
  });

  it("passes the float64 gradient check with a relative error below 1e-7", () => {
    const error = Number(/^gradient check: max relative error (\S+)$/m.exec(output)?.[1]);
    expect(error).toBeLessThan(1e-7);
  });
});
