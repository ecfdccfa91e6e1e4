#!/usr/bin/env node
// pnpm release --dry-run: proof that every package publishes on its own, without publishing anything.
// It builds (tsc -b), packs each publishable package with pnpm (the packer `changeset publish` runs, which
// rewrites workspace: ranges to real versions), checks what each tarball holds, installs all the tarballs
// with plain npm into an empty project outside the workspace, type-checks a program there against the
// installed declarations and runs it (scripts/consumer-smoke.mjs): every entry point imports and computes,
// and a library error's stack, through the shipped source maps, names the line of src/ that threw.
//
// pnpm release --confirm-publish: the same checks, then `changeset publish` (each version not yet on the
// registry, with a git tag). Without one of the two flags it refuses: publishing is never a default.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(import.meta.dirname, "..");

const USAGE = `usage: pnpm release --dry-run          build, pack, check and install every package; publish nothing
       pnpm release --confirm-publish  the same checks, then \`changeset publish\` to the npm registry
options: --keep  leave the temporary folder (tarballs and the consumer project) for inspection`;

/** Top-level entries a tarball may hold: the build, the sources its maps point at, and the four files npm shows. */
const ALLOWED_TOP = new Set(["package.json", "README.md", "LICENSE", "CHANGELOG.md"]);
const ALLOWED_FOLDERS = ["dist/", "src/"];
const REQUIRED = ["package.json", "README.md", "LICENSE", "CHANGELOG.md", "dist/index.d.ts"];
/** Tests, their folders and fixtures, and compiler state: never shipped. */
const NOT_SHIPPED = [
  [/\.(test|spec)\.[cm]?[jt]sx?(\.map)?$|\.test\.d\.[cm]?ts(\.map)?$/, "a test file"],
  [/(^|\/)(__tests__|__fixtures__|tests?|fixtures)\//, "a test folder"],
  [/\.tsbuildinfo$/, "compiler state (tsbuildinfo)"],
];
const DEPENDENCY_FIELDS = ["dependencies", "peerDependencies", "optionalDependencies", "devDependencies"];

/**
 * What is wrong with one packed package, as sentences (empty: nothing). `files` are the tarball's paths
 * without npm's `package/` prefix, `read(path)` gives a file's text, `packed` is the tarball's package.json,
 * `source` the workspace's, and `versions` maps each workspace package's name to its version.
 */
export function tarballProblems({ source, packed, files, read, versions }) {
  const name = source.name;
  const problems = [];
  const have = new Set(files);
  // tsc -b neither deletes the outputs of a deleted source nor rebuilds a removed dist/ while .tsbuildinfo stays.
  const rebuild = "rm -r packages/*/dist packages/*/.tsbuildinfo && pnpm build";

  for (const file of files) {
    if (!ALLOWED_TOP.has(file) && !ALLOWED_FOLDERS.some((folder) => file.startsWith(folder))) {
      problems.push(`${name}: ${file} should not ship (only dist/, src/ and ${[...ALLOWED_TOP].join(", ")})`);
      continue;
    }
    const refused = NOT_SHIPPED.find(([pattern]) => pattern.test(file));
    if (refused) problems.push(`${name}: ${file} is ${refused[1]} and should not ship`);
    else if (file.startsWith("src/") && !file.endsWith(".ts"))
      problems.push(`${name}: ${file} in src/ is not a TypeScript source`);
  }
  for (const file of REQUIRED) if (!have.has(file)) problems.push(`${name}: the tarball has no ${file}`);

  if (packed.name !== source.name || packed.version !== source.version) {
    problems.push(
      `${name}: packed as ${packed.name}@${packed.version}, the workspace has ${source.name}@${source.version}`,
    );
  }
  for (const target of entryPoints(packed)) {
    if (!have.has(target)) problems.push(`${name}: package.json points at ${target}, which is not in the tarball`);
  }
  for (const field of DEPENDENCY_FIELDS) {
    for (const [dependency, range] of Object.entries(packed[field] ?? {})) {
      if (/^(workspace|link|file|portal):/.test(String(range))) {
        problems.push(`${name}: ${field}.${dependency} is still ${range}`);
      } else if (
        field !== "devDependencies" &&
        versions.has(dependency) &&
        String(range).replace(/^[\^~]/, "") !== versions.get(dependency)
      ) {
        const published = `${dependency}@${versions.get(dependency)}`;
        problems.push(`${name}: ${field}.${dependency} is ${range}, but the workspace publishes ${published}`);
      }
    }
  }

  // Every emitted file names its map, every map resolves each of its sources to a file in the tarball,
  // and every shipped source is one some map points at (no stale or stray files on either side).
  const mapped = new Set();
  for (const file of files.filter((f) => f.startsWith("dist/") && /\.(js|d\.ts)$/.test(f))) {
    const comment = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(read(file));
    if (!comment) {
      problems.push(`${name}: ${file} has no sourceMappingURL comment`);
      continue;
    }
    const map = posix.join(posix.dirname(file), comment[1]);
    if (!have.has(map))
      problems.push(`${name}: ${file} names its source map ${comment[1]}, which is not in the tarball`);
  }
  for (const map of files.filter((f) => f.endsWith(".map"))) {
    let parsed;
    try {
      parsed = JSON.parse(read(map));
    } catch (error) {
      problems.push(`${name}: ${map} is not JSON (${error.message})`);
      continue;
    }
    if (!Array.isArray(parsed.sources) || parsed.sources.length === 0) {
      problems.push(`${name}: ${map} lists no sources`);
      continue;
    }
    for (const sourceFile of parsed.sources) {
      const path = posix.normalize(posix.join(posix.dirname(map), parsed.sourceRoot ?? "", sourceFile));
      mapped.add(path);
      if (path.startsWith("../")) {
        problems.push(`${name}: ${map} points at ${sourceFile}, outside the package`);
      } else if (!have.has(path)) {
        const stale = path.startsWith("src/") ? ` (a build output whose source is gone? ${rebuild})` : "";
        problems.push(`${name}: ${map} points at ${sourceFile}, and ${path} is not in the tarball${stale}`);
      }
    }
  }
  for (const file of files.filter((f) => f.startsWith("src/") && f.endsWith(".ts"))) {
    if (!mapped.has(file)) problems.push(`${name}: ${file} ships, but no source map points at it`);
  }
  return problems;
}

/**
 * What is wrong with the Changesets setup, as sentences: `config` is .changeset/config.json, `workspace` the
 * workspace's package.json files, `pending` the unreleased changesets ({ file, text }). Changesets itself
 * finds these only when `pnpm version-packages` runs, which may be long after the changeset was merged.
 */
export function changesetProblems({ config, workspace, pending }) {
  const problems = [];
  const byName = new Map(workspace.map((manifest) => [manifest.name, manifest]));
  if (config.access !== "public") {
    problems.push(
      `.changeset/config.json: access is ${config.access}; scoped packages publish as restricted without "public"`,
    );
  }
  for (const name of config.ignore ?? []) {
    if (!byName.has(name)) problems.push(`.changeset/config.json ignores ${name}, which is not a workspace package`);
  }
  const ignored = new Set(config.ignore ?? []);
  for (const { file, text } of pending) {
    const front = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
    if (!front) {
      problems.push(`.changeset/${file}: no front matter (--- "package": patch | minor | major ---)`);
      continue;
    }
    for (const line of front[1].split(/\r?\n/).filter((l) => l.trim() !== "")) {
      const entry = /^\s*(["']?)([^"':]+)\1\s*:\s*(\S+)\s*$/.exec(line);
      if (!entry) {
        problems.push(`.changeset/${file}: cannot read "${line.trim()}" (expected "package": patch | minor | major)`);
        continue;
      }
      const [, , name, bump] = entry;
      const manifest = byName.get(name);
      if (!manifest) problems.push(`.changeset/${file} names ${name}, which is not a workspace package`);
      else if (manifest.private || ignored.has(name))
        problems.push(`.changeset/${file} names ${name}, which is private and never released`);
      if (!["major", "minor", "patch", "none"].includes(bump)) {
        problems.push(`.changeset/${file}: ${name}: ${bump} is not major, minor, patch or none`);
      }
    }
  }
  return problems;
}

/** The files package.json sends importers to: main, types and every target of exports, without "./". */
export function entryPoints(manifest) {
  const targets = [manifest.main, manifest.types, manifest.typings];
  const walk = (value) => {
    if (typeof value === "string") targets.push(value);
    else if (value && typeof value === "object") Object.values(value).forEach(walk);
  };
  walk(manifest.exports);
  return [...new Set(targets.filter(Boolean).map((target) => posix.normalize(target)))];
}

/** The import specifiers package.json exports: "@slope/core", "@slope/core/node", ... */
export function exportedSpecifiers(manifest) {
  const exports = manifest.exports;
  if (!exports || typeof exports === "string" || !Object.keys(exports).every((key) => key.startsWith(".")))
    return [manifest.name];
  return Object.keys(exports)
    .filter((key) => !key.includes("*") && key !== "./package.json")
    .map((key) => (key === "." ? manifest.name : `${manifest.name}/${key.slice(2)}`));
}

function run(cmd, args, cwd = root) {
  return execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", maxBuffer: 64 << 20 });
}

/** Runs a step and says how long it took. */
function timed(label, step) {
  const start = performance.now();
  const result = step();
  console.log(`${label} (${((performance.now() - start) / 1000).toFixed(1)} s)`);
  return result;
}

function workspacePackages() {
  const listed = JSON.parse(run("pnpm", ["ls", "--recursive", "--json", "--depth", "-1"]));
  return listed
    .filter((entry) => entry.path !== root)
    .map((entry) => ({
      dir: entry.path,
      manifest: JSON.parse(readFileSync(join(entry.path, "package.json"), "utf8")),
    }));
}

function pendingChangesets() {
  return readdirSync(join(root, ".changeset"))
    .filter((file) => file.endsWith(".md") && file !== "README.md")
    .map((file) => ({ file, text: readFileSync(join(root, ".changeset", file), "utf8") }));
}

function dryRun(work) {
  const started = performance.now();
  timed("built every package (tsc -b)", () => run("pnpm", ["run", "--silent", "build"]));

  const workspace = workspacePackages();
  const versions = new Map(workspace.map(({ manifest }) => [manifest.name, manifest.version]));
  const publishable = workspace
    .filter(({ manifest }) => !manifest.private)
    .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
  if (publishable.length === 0) throw new Error("no publishable package in the workspace");
  const privates = workspace.filter(({ manifest }) => manifest.private).map(({ manifest }) => manifest.name);
  console.log(`publishable: ${publishable.map(({ manifest }) => `${manifest.name}@${manifest.version}`).join(", ")}`);
  console.log(`private, not published: ${privates.join(", ")}`);

  const pending = pendingChangesets();
  const config = JSON.parse(readFileSync(join(root, ".changeset", "config.json"), "utf8"));
  const problems = changesetProblems({ config, workspace: workspace.map(({ manifest }) => manifest), pending });
  const pendingList = pending.map(({ file }) => file).join(", ");
  console.log(`changesets: ${pending.length === 0 ? "none pending" : `${pending.length} pending (${pendingList})`}`);
  const tarballs = [];
  const specifiers = [];
  timed("packed and checked every tarball", () => {
    for (const { dir, manifest } of publishable) {
      const out = run("pnpm", ["pack", "--pack-destination", work, "--json"], dir);
      const filename = JSON.parse(out.slice(out.indexOf("{"))).filename;
      const tarball = filename.startsWith("/") ? filename : join(work, filename);
      const unpacked = join(work, "unpacked", manifest.name);
      mkdirSync(unpacked, { recursive: true });
      run("tar", ["-xzf", tarball, "-C", unpacked]);
      const files = run("tar", ["-tzf", tarball])
        .split("\n")
        .filter((f) => f && !f.endsWith("/"))
        .map((f) => f.replace(/^package\//, ""))
        .sort();
      const read = (file) => readFileSync(join(unpacked, "package", file), "utf8");
      const packed = JSON.parse(read("package.json"));
      const found = tarballProblems({ source: manifest, packed, files, read, versions });
      problems.push(...found);
      const count = (prefix, suffix = "") => files.filter((f) => f.startsWith(prefix) && f.endsWith(suffix)).length;
      const kB = (statSync(tarball).size / 1024).toFixed(1);
      console.log(
        `  ${manifest.name}@${manifest.version}: ${files.length} files, ${kB} kB packed (dist ${count("dist/")}, src ${count("src/")}, ` +
          `${count("dist/", ".map")} source maps), ${found.length === 0 ? "ok" : `${found.length} problems`}`,
      );
      tarballs.push(tarball);
      specifiers.push(...exportedSpecifiers(packed));
    }
  });
  if (problems.length > 0) throw new Error(`not ready to publish:\n  ${problems.join("\n  ")}`);

  // An empty project outside the workspace: npm sees only the tarballs and the registry.
  const project = join(work, "consumer");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  timed(`installed the ${tarballs.length} tarballs with npm into an empty project`, () =>
    run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs], project),
  );
  const smokeSource = readFileSync(join(root, "scripts", "consumer-smoke.mjs"), "utf8");
  writeFileSync(join(project, "smoke.mjs"), smokeSource);
  const untested = specifiers.filter((specifier) => !smokeSource.includes(`from "${specifier}"`));
  if (untested.length > 0) {
    throw new Error(
      `scripts/consumer-smoke.mjs does not import ${untested.join(", ")}: every entry point must be tried`,
    );
  }

  // The consumer's program checked against the installed declarations (lib checks on), as a TypeScript user sees them,
  // and scripts/consumer-types.ts beside it: Var's methods typed through @slope/autograd's main entry alone.
  writeFileSync(join(project, "types.ts"), readFileSync(join(root, "scripts", "consumer-types.ts")));
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  timed(`type-checked the consumer against the installed declarations of ${specifiers.length} entry points`, () => {
    try {
      const options = [
        "--noEmit",
        "--strict",
        "--allowJs",
        "--checkJs",
        "--skipLibCheck",
        "false",
        "--target",
        "es2022",
      ];
      const resolution = ["--module", "nodenext", "--moduleResolution", "nodenext"];
      const types = ["--types", "node", "--typeRoots", join(root, "node_modules", "@types")];
      run(process.execPath, [tsc, ...options, ...resolution, ...types, "smoke.mjs", "types.ts"], project);
    } catch (error) {
      throw new Error(
        `the consumer does not type-check against the installed packages:\n${error.stdout}${error.stderr}`,
      );
    }
  });
  const smoke = timed("ran the consumer program (node --enable-source-maps)", () =>
    run(process.execPath, ["--enable-source-maps", "smoke.mjs"], project),
  );
  console.log(smoke.trimEnd().replace(/^/gm, "  "));
  console.log(
    `release dry run: ${publishable.length} packages pack, check, install from their tarballs and work outside the workspace ` +
      `(${((performance.now() - started) / 1000).toFixed(1)} s); nothing was published`,
  );
}

/** What must hold before publishing, checked before the dry run so that a refusal comes at once. */
function checkReadyToPublish() {
  const pending = pendingChangesets();
  if (pending.length > 0) {
    const files = pending.map(({ file }) => file).join(", ");
    throw new Error(
      `${pending.length} changesets are not applied yet (${files}): pnpm version-packages, review, commit, then release`,
    );
  }
  if (run("git", ["status", "--porcelain"]).trim() !== "") {
    throw new Error("the working tree has changes: commit them first (changeset publish tags this commit)");
  }
  const whoami = spawnSync("npm", ["whoami"], { cwd: root, encoding: "utf8" });
  if (whoami.status !== 0)
    throw new Error("npm has no logged-in user here (npm login, or a token in .npmrc): nothing was published");
  return whoami.stdout.trim();
}

function publish(user) {
  console.log(`publishing as ${user} with changeset publish`);
  const result = spawnSync("pnpm", ["exec", "changeset", "publish"], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`changeset publish exited with ${result.status ?? result.signal}`);
}

function main(argv) {
  const known = new Set(["--dry-run", "--confirm-publish", "--keep", "--help"]);
  const unknown = argv.filter((arg) => !known.has(arg));
  if (argv.includes("--help")) {
    console.log(USAGE);
    return 0;
  }
  const dry = argv.includes("--dry-run");
  const confirmed = argv.includes("--confirm-publish");
  if (unknown.length > 0 || dry === confirmed) {
    if (unknown.length > 0) console.error(`release: unknown option ${unknown.join(", ")}`);
    else if (dry) console.error("release: --dry-run and --confirm-publish contradict each other");
    else
      console.error(
        "release: refusing to publish without --confirm-publish (to check without publishing: pnpm release --dry-run)",
      );
    console.error(USAGE);
    return 2;
  }
  const work = mkdtempSync(join(tmpdir(), "slope-release-"));
  try {
    const user = confirmed ? checkReadyToPublish() : null;
    dryRun(work);
    if (confirmed) publish(user);
    return 0;
  } catch (error) {
    console.error(`release: ${error.message}`);
    if (error.stdout || error.stderr) console.error(`${error.stdout ?? ""}${error.stderr ?? ""}`);
    return 1;
  } finally {
    if (argv.includes("--keep")) console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

// Run as a script (not when a test imports its checks).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  process.exitCode = main(process.argv.slice(2));
