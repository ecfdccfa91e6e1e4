// Docs that run: every fenced code block of every README.md in the repository is executed or checked here, as
// written. The rules, by the block's language (the word after the opening ```):
//
// - ts, js: compiled and run. Each block is one program (an ES module of its own), unless the line before its
//   opening fence (blank lines skipped) is the HTML comment <!-- snippet: continues -->: then the block is appended
//   to the program of the block before it in the same README, so a README can tell one program in several steps
//   (the root README's "Build your own model" does). Every program is written into a folder inside tests/ whose
//   node_modules link the workspace packages, so "@slope/*" resolve to their built dist/ exactly as for a user who
//   installed them; all programs are compiled by ONE tsc run under the repo's strict options (tsconfig.base.json),
//   and each compiled program is run by node in a folder of its own (files it writes stay there). A program that
//   throws or exits non-zero fails the test; programs assert their own claims (a loss that falls, an accuracy).
// - sh, bash: checked, not run (they install, train for minutes or download). Each command of each line (split at
//   &&, ||, ;, |; `VAR=value` prefixes and # comments dropped) must be one this test knows how to check, else the
//   test fails: `pnpm <script>` names a script of the root package.json, `pnpm --filter <package> <script>` one of
//   that package's; `pnpm lecture <experiment> [--options]` names an experiment of the lecture CLI and only options
//   that `node examples/dist/cli.js <experiment> --help` lists (that --help is run); `node`, `python3` and
//   `npx vitest run` name files that exist; `npm install -g pnpm@V` names the packageManager's version;
//   `pnpm install`, `apt-get install`, `dot` and `npx tsc` are allowed as they are.
// - python: parsed by python3's `ast` (syntax only: PyTorch is not installed here). Fails if python3 is missing.
// - text: not executed; for output samples and schemas. Any other language, or none, fails the test.
// CONTRIBUTING.md's blocks are fragments of files to write, not programs: there, every repository path it names
// must exist (or be marked "(new)"), and its list of the names core and autograd share must be right.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import * as autograd from "@slope/autograd";
import * as core from "@slope/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const CONTINUES = "<!-- snippet: continues -->";
const COLLISIONS = "<!-- names exported by both @slope/core and @slope/autograd -->";
const SKIPPED_DIRS = new Set(["node_modules", "dist", "out", "scratch", "coverage"]);

interface Block {
  readme: string;
  line: number;
  lang: string;
  code: string;
  continues: boolean;
}
interface Program {
  readme: string;
  line: number;
  lang: "ts" | "js";
  blocks: Block[];
  source: string;
}
interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Every README.md below the root, outside dependencies, build output and hidden folders. */
function findReadmes(dir = root): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || SKIPPED_DIRS.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findReadmes(path));
    else if (entry.name === "README.md") found.push(relative(root, path));
  }
  return found.sort();
}

/** The fenced blocks of a README, with their language, first line (1-based) and the continuation marker. */
function fencedBlocks(readme: string): Block[] {
  const lines = readFileSync(join(root, readme), "utf8").split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, info] = open;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !new RegExp(`^\\s*${fence}\\s*$`).test(lines[j]!)) body.push(lines[j++]!);
    if (j === lines.length) throw new Error(`${readme}:${i + 1}: a code fence that is never closed`);
    let before = i - 1;
    while (before >= 0 && lines[before]!.trim() === "") before--;
    blocks.push({
      readme,
      line: i + 1,
      lang: info!.trim().split(/\s+/)[0]!,
      code: body.map((l) => (l.startsWith(indent!) ? l.slice(indent!.length) : l)).join("\n") + "\n",
      continues: before >= 0 && lines[before]!.trim() === CONTINUES,
    });
    i = j;
  }
  return blocks;
}

/** ts and js blocks grouped into programs by the continuation rule. */
function programsOf(blocks: Block[]): Program[] {
  const programs: Program[] = [];
  for (const block of blocks) {
    if (block.lang !== "ts" && block.lang !== "js") continue;
    const last = programs.at(-1);
    if (block.continues) {
      if (last === undefined || last.readme !== block.readme) {
        throw new Error(`${block.readme}:${block.line}: "${CONTINUES}" but no program before it in this README`);
      }
      if (last.lang !== block.lang) throw new Error(`${block.readme}:${block.line}: continues a ${last.lang} program`);
      last.blocks.push(block);
      last.source += `\n// ${block.readme}:${block.line}\n${block.code}`;
    } else {
      programs.push({
        readme: block.readme,
        line: block.line,
        lang: block.lang,
        blocks: [block],
        source: `// ${block.readme}:${block.line}\n${block.code}`,
      });
    }
  }
  return programs;
}

function run(command: string, args: string[], cwd: string, timeout: number): string {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(
      `${[command, ...args].join(" ")} exited with ${result.status}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

function runAsync(command: string, args: string[], cwd: string, timeout: number): Promise<Outcome> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, timeout });
    let stdout = "",
      stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (status) => done({ status, stdout, stderr }));
  });
}

// ---- the sh/bash checks ----

const rootPackage = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
  packageManager: string;
};
function workspacePackages(): Map<string, Record<string, string>> {
  const found = new Map<string, Record<string, string>>();
  for (const dir of [
    "packages/core",
    "packages/autograd",
    "packages/nn",
    "packages/optim",
    "packages/data",
    "examples",
    "examples/web",
    "bench",
    "tests",
  ]) {
    const file = join(root, dir, "package.json");
    if (!existsSync(file)) continue;
    const json = JSON.parse(readFileSync(file, "utf8")) as { name: string; scripts?: Record<string, string> };
    found.set(json.name, json.scripts ?? {});
  }
  return found;
}
const lectureHelp = new Map<string, string>();
function lectureHelpOf(experiment: string | null): string {
  const key = experiment ?? "";
  if (!lectureHelp.has(key)) {
    const args = [join(root, "examples", "dist", "cli.js"), ...(experiment === null ? [] : [experiment]), "--help"];
    lectureHelp.set(key, run(process.execPath, args, root, 30_000));
  }
  return lectureHelp.get(key)!;
}

/** Splits a shell line into simple commands of words (quotes kept simple: '' and "" are one word). */
function commandsOf(line: string): string[][] {
  const withoutComment = line.replace(/(^|\s)#.*$/, "");
  return withoutComment
    .split(/&&|\|\||;|\|/)
    .map((part) =>
      (part.match(/'[^']*'|"[^"]*"|\S+/g) ?? []).filter(
        (_, i, words) =>
          // drop leading VAR=value assignments
          !words.slice(0, i + 1).every((w) => /^[A-Z_][A-Z0-9_]*=/.test(w)),
      ),
    )
    .filter((words) => words.length > 0);
}

/** The problems with one simple command; empty when it is fine. */
function checkCommand(words: string[]): string[] {
  const [command, ...args] = words;
  const exists = (path: string) => (existsSync(join(root, path)) ? [] : [`${path} does not exist`]);
  switch (command) {
    case "pnpm": {
      if (args[0] === "install" || args[0] === "add") return [];
      if (args[0] === "--filter") {
        const scripts = workspacePackages().get(args[1]!);
        if (scripts === undefined) return [`no workspace package ${args[1]}`];
        return args[2] !== undefined && args[2] in scripts ? [] : [`${args[1]} has no script "${args[2]}"`];
      }
      const script = args[0]!;
      if (!(script in rootPackage.scripts)) return [`package.json has no script "${script}"`];
      if (script !== "lecture")
        return args.length === 1 ? [] : [`arguments to pnpm ${script}: ${args.slice(1).join(" ")}`];
      const experiment = args[1]?.startsWith("-") === false ? args[1] : null;
      if (experiment !== null && !new RegExp(`^  ${experiment}\\s`, "m").test(lectureHelpOf(null))) {
        return [`the lecture has no experiment "${experiment}"`];
      }
      const help = lectureHelpOf(experiment);
      return args
        .filter((a) => a.startsWith("--") && a !== "--help")
        .filter((flag) => !new RegExp(`${flag}(?![\\w-])`).test(help))
        .map((flag) => `pnpm lecture ${experiment ?? ""} --help does not list ${flag}`);
    }
    case "npm":
      if (args[0] === "install" && args[1] === "-g" && args[2]?.startsWith("pnpm@")) {
        const want = rootPackage.packageManager.split("@")[1];
        return args[2] === `pnpm@${want}` ? [] : [`${args[2]}, but packageManager is pnpm@${want}`];
      }
      return [`unknown npm command: ${words.join(" ")}`];
    case "npx":
      if (args[0] === "tsc") return [];
      if (args[0] === "vitest" && args[1] === "run")
        return args
          .slice(2)
          .filter((a) => !a.startsWith("-"))
          .flatMap(exists);
      return [`unknown npx command: ${words.join(" ")}`];
    case "node": {
      const file = args.find((a) => !a.startsWith("-"));
      return file === undefined ? [] : exists(file);
    }
    case "python3":
    case "/usr/bin/python3": {
      const file = args.find((a) => !a.startsWith("-"));
      return file === undefined ? ["python3 without a script"] : exists(file);
    }
    case "apt-get":
      return args[0] === "install" ? [] : [`unknown apt-get command: ${words.join(" ")}`];
    case "dot":
      return [];
    default:
      return [`a command this test does not know how to check: ${words.join(" ")}`];
  }
}

function checkShell(block: Block): string[] {
  const lines = block.code.replace(/\\\n/g, " ").split("\n");
  return lines.flatMap((line) => commandsOf(line).flatMap(checkCommand));
}

// ---- the tests ----

const readmes = findReadmes();
const blocks = readmes.flatMap(fencedBlocks);
const programs = programsOf(blocks);

describe("README snippets", () => {
  let dir = "";
  const outcomes = new Map<Program, Outcome>();
  let compileOutput = "";
  /** tsc's errors in program i, each named by its README and line. */
  const errorsOf = (i: number) =>
    compileOutput
      .split("\n")
      .filter((l) => l.startsWith(`p${i}/main.`))
      .map((l) => l.replace(/^p\d+\/main\.(ts|js)/, `${programs[i]!.readme}:${programs[i]!.line} (program p${i})`));

  beforeAll(async () => {
    run(process.execPath, [tsc, "-b"], root, 180_000); // the packages' dist/ and the lecture CLI, incremental
    dir = mkdtempSync(join(root, "tests", ".readme-snippets-"));
    programs.forEach((program, i) => {
      mkdirSync(join(dir, `p${i}`));
      writeFileSync(join(dir, `p${i}`, `main.${program.lang}`), program.source);
    });
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        extends: "../../tsconfig.base.json",
        compilerOptions: {
          composite: false,
          declaration: false,
          declarationMap: false,
          sourceMap: false,
          types: ["node"],
          allowJs: true,
          checkJs: true,
          rootDir: ".",
          outDir: "out",
        },
        include: ["p*/main.ts", "p*/main.js"],
      }),
    );
    // tsc emits even when a program has errors: each program's test reports its own errors, the others still run
    const compiled = spawnSync(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: dir, encoding: "utf8" });
    compileOutput = compiled.stdout + compiled.stderr;
    if (compiled.status !== 0 && !/p\d+\/main\.(ts|js)\(/.test(compileOutput)) return; // tsc itself failed
    // two at a time: the machine has two cores
    let next = 0;
    const worker = async () => {
      while (next < programs.length) {
        const i = next++;
        mkdirSync(join(dir, "out", `p${i}`), { recursive: true });
        outcomes.set(programs[i]!, await runAsync(process.execPath, ["main.js"], join(dir, "out", `p${i}`), 120_000));
      }
    };
    await Promise.all([worker(), worker()]);
  }, 300_000);

  afterAll(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  it("finds the READMEs of the root, every package, examples and bench", () => {
    for (const readme of [
      "README.md",
      "packages/core/README.md",
      "packages/autograd/README.md",
      "packages/nn/README.md",
      "packages/optim/README.md",
      "packages/data/README.md",
      "examples/README.md",
      "bench/README.md",
    ]) {
      expect(readmes).toContain(readme);
    }
  });

  it("knows the language of every block (ts, js, sh, bash, python, text)", () => {
    const unknown = blocks.filter((b) => !["ts", "js", "sh", "bash", "python", "text"].includes(b.lang));
    expect(unknown.map((b) => `${b.readme}:${b.line} \`\`\`${b.lang}`)).toEqual([]);
  });

  it("compiles every ts/js program in one tsc run under the repo's strict options, with no cast to any", () => {
    expect(outcomes.size, `tsc did not run:\n${compileOutput}`).toBe(programs.length);
    for (const program of programs) {
      expect(program.source, `${program.readme}:${program.line}`).not.toMatch(
        /\bas (unknown|any)\b|@ts-(ignore|expect-error|nocheck)/,
      );
    }
  });

  it.each(programs.map((p, i) => [`${p.readme}:${p.line}`, i] as const))(
    "compiles and runs the program at %s",
    (_, i) => {
      expect(errorsOf(i)).toEqual([]);
      const outcome = outcomes.get(programs[i]!)!;
      expect(outcome.status, `${outcome.stdout}\n${outcome.stderr}`).toBe(0);
    },
  );

  it.each(blocks.filter((b) => b.lang === "sh" || b.lang === "bash").map((b) => [`${b.readme}:${b.line}`, b] as const))(
    "checks the shell block at %s",
    (_, block) => {
      expect(checkShell(block)).toEqual([]);
    },
  );

  it.each(blocks.filter((b) => b.lang === "python").map((b) => [`${b.readme}:${b.line}`, b] as const))(
    "parses the python block at %s",
    (_, block) => {
      const parsed = spawnSync("python3", ["-c", "import ast, sys; ast.parse(sys.stdin.read())"], {
        input: block.code,
        encoding: "utf8",
      });
      expect(parsed.error).toBeUndefined();
      expect(parsed.stderr).toBe("");
      expect(parsed.status).toBe(0);
    },
  );

  it("checks its own shell rules: an unknown command, script, experiment or option is refused", () => {
    const fake = (code: string): Block => ({ readme: "x", line: 1, lang: "sh", code, continues: false });
    expect(checkShell(fake("pnpm lecture tour"))).toEqual([]);
    expect(checkShell(fake("pnpm lecture train --loss svm --lr 1e-7"))).toEqual([]);
    expect(checkShell(fake("pnpm no-such-script"))).not.toEqual([]);
    expect(checkShell(fake("pnpm lecture no-such-experiment"))).not.toEqual([]);
    expect(checkShell(fake("pnpm lecture train --no-such-option 1"))).not.toEqual([]);
    expect(checkShell(fake("node bench/no-such.bench.mjs"))).not.toEqual([]);
    expect(checkShell(fake("curl https://example.com | sh"))).not.toEqual([]);
    expect(checkShell(fake("npm install -g pnpm@1.0.0"))).not.toEqual([]);
  });

  describe("the root README's Build your own model", () => {
    const program = programs.find((p) => p.readme === "README.md" && p.source.includes("extends Module"));
    const output = () => outcomes.get(program!)?.stdout ?? "";

    it("is one program of five steps: define, train, evaluate, save and load, gradient-check", () => {
      expect(program).toBeDefined();
      const steps = program!.blocks.map((b) => b.code);
      expect(steps.length).toBe(5);
      expect(steps[0]).toContain("extends Module");
      expect(steps[0]).toContain("new Sequential(");
      expect(steps[1]).toContain("new DataLoader(");
      expect(steps[2]).toContain("net.eval()");
      expect(steps[3]).toContain("loadSafetensors(");
      expect(steps[4]).toContain('to("float64")');
      expect(steps[4]).toContain("gradCheck(");
    });

    it("prints PyTorch's repr and names, and the parameter count 5370", () => {
      expect(output()).toContain("Net(\n  (conv): Conv2d(3, 8, kernel_size=(3, 3)");
      expect(output()).toContain("conv.weight conv.bias bn.weight bn.bias fc.weight fc.bias");
      expect(output()).toMatch(/^5370$/m);
    });

    it("trains: the mean loss falls from the first epoch to the second", () => {
      const losses = [...output().matchAll(/^epoch \d: mean loss ([\d.]+)$/gm)].map((m) => Number(m[1]));
      expect(losses.length).toBe(2);
      expect(losses[1]).toBeLessThan(losses[0]!);
    });

    it("reaches more than 50% test accuracy (chance: 10%), the number the README's comment gives", () => {
      const accuracy = Number(/^test accuracy ([\d.]+)%$/m.exec(output())?.[1]);
      expect(accuracy).toBeGreaterThan(50);
      const claimed = /console\.log\(`test accuracy .*?\/\/ ([\d.]+)%/.exec(program!.source)?.[1];
      expect(claimed, "the accuracy in the README's comment is the one the program prints: update the comment").toBe(
        accuracy.toFixed(1),
      );
    });

    it("passes the float64 gradient check with a relative error below 1e-7", () => {
      const error = Number(/^gradient check: max relative error (\S+)$/m.exec(output())?.[1]);
      expect(error).toBeLessThan(1e-7);
    });
  });

  it('names in CONTRIBUTING.md only files and folders that exist (a file to create is marked "(new)")', () => {
    const text = readFileSync(join(root, "CONTRIBUTING.md"), "utf8");
    const paths = [...text.matchAll(/`((?:packages|tests|scripts|examples|bench|docs)\/[\w./-]+)`( \(new\))?/g)];
    expect(paths.length).toBeGreaterThan(20);
    const missing = paths
      .filter(([, path, isNew]) => isNew === undefined && !existsSync(join(root, path!)))
      .map((m) => m[1]);
    expect(missing).toEqual([]);
    const wronglyNew = paths
      .filter(([, path, isNew]) => isNew !== undefined && existsSync(join(root, path!)))
      .map((m) => m[1]);
    expect(wronglyNew, "marked (new) but it exists").toEqual([]);
  });

  it("lists, in the core and autograd READMEs and CONTRIBUTING.md, exactly the names both packages export", () => {
    const coreNames = new Set(Object.keys(core));
    const both = Object.keys(autograd)
      .filter((name) => coreNames.has(name))
      .sort();
    expect(both).toContain("add");
    expect(both).toContain("matmul");
    for (const file of ["packages/core/README.md", "packages/autograd/README.md", "CONTRIBUTING.md"]) {
      const text = readFileSync(join(root, file), "utf8");
      const at = text.indexOf(COLLISIONS);
      expect(at, `${file} has no "${COLLISIONS}" line`).toBeGreaterThan(-1);
      const paragraph = text
        .slice(at + COLLISIONS.length)
        .trimStart()
        .split(/\n\s*\n/)[0]!;
      const listed = [...paragraph.matchAll(/`(\w+)`/g)].map((m) => m[1]!).sort();
      expect(listed, file).toEqual(both);
    }
  });
});
