#!/usr/bin/env node
// Proof that every package publishes on its own: pack each with pnpm (which rewrites workspace:
// ranges to real versions), install the tarballs with plain npm into an empty project outside the
// workspace, and run a program there that imports each package and computes with it.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const work = mkdtempSync(join(tmpdir(), "slope-pack-"));
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });

try {
  const packages = readdirSync(join(root, "packages")).sort();
  const tarballs = [];
  for (const name of packages) {
    const dir = join(root, "packages", name);
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const out = run("pnpm", ["pack", "--pack-destination", work, "--json"], dir);
    const filename = JSON.parse(out.slice(out.indexOf("{"))).filename;
    const tarball = filename.startsWith("/") ? filename : join(work, filename);
    const files = run("tar", ["-tzf", tarball]).split("\n").filter(Boolean);
    const stray = files.filter((f) => /\.test\.|\.tsbuildinfo$|\/src\//.test(f));
    if (stray.length > 0) throw new Error(`${manifest.name}: tarball holds files that should not ship: ${stray.join(", ")}`);
    if (!files.some((f) => f.endsWith("dist/index.d.ts"))) throw new Error(`${manifest.name}: tarball has no dist/index.d.ts`);
    const packed = JSON.parse(run("tar", ["-xzOf", tarball, "package/package.json"]));
    for (const [dep, range] of Object.entries(packed.dependencies ?? {})) {
      if (String(range).startsWith("workspace:")) throw new Error(`${manifest.name}: packed dependency ${dep} is still ${range}`);
    }
    tarballs.push(tarball);
    console.log(`packed ${manifest.name}@${manifest.version}: ${files.length} files`);
  }

  const project = join(work, "consumer");
  run("mkdir", ["-p", project]);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs], project);
  writeFileSync(join(project, "smoke.mjs"), readFileSync(join(root, "scripts", "consumer-smoke.mjs")));
  process.stdout.write(run("node", ["smoke.mjs"], project));

  // The types a TypeScript user gets from the packed .d.ts files alone, Var's methods included.
  const compilerOptions = { module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", strict: true, noEmit: true, skipLibCheck: false, types: [] };
  writeFileSync(join(project, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["types.ts"] }));
  writeFileSync(join(project, "types.ts"), readFileSync(join(root, "scripts", "consumer-types.ts")));
  try {
    run(join(root, "node_modules", ".bin", "tsc"), ["-p", "."], project);
  } catch (error) {
    throw new Error(`a consumer's TypeScript does not type-check against the packed .d.ts files:\n${error.stdout}${error.stderr}`);
  }
  console.log("consumer: types.ts type-checks against the packed .d.ts files (Var's methods included)");
  console.log("pack-and-install: every package installs from its tarball and works outside the workspace");
} finally {
  rmSync(work, { recursive: true, force: true });
}
