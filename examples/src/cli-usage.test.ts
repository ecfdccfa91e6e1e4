// The command line's rules, in process (fast): negative numbers are values, every experiment has its own
// --help, every option of every experiment is checked before any data loads, and every usage error exits 2.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { encodeArray } from "@slope/core";
import { USAGE_EXIT, UsageError, checkCommand, parseCommandLine, runCommandLine } from "./cli.js";

const root = mkdtempSync(join(tmpdir(), "slope-cli-usage-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
// The runs that get as far as training use the synthetic set, quickly: no CIFAR-10 from the environment.
process.env.SLOPE_CIFAR_DIR = "";
process.env.SLOPE_CACHE_DIR = join(root, "no-cache");
const file = join(root, "a-file");
writeFileSync(file, "not a folder");
/** A folder that looks like CIFAR-10 (its six batch files are there) but is empty: loading it would fail. */
const emptyData = join(root, "empty-data");
mkdirSync(emptyData);
for (const name of [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`).concat("test_batch.bin")) {
  writeFileSync(join(emptyData, name), "");
}

const EXPERIMENTS = [
  "random-search",
  "gradients",
  "train",
  "batch-modes",
  "lr-decay",
  "optimizers",
  "two-layer",
  "cnn",
  "templates",
  "tour",
  "download",
];

let printed: { out: string; err: string };
beforeEach(() => {
  printed = { out: "", err: "" };
  vi.spyOn(console, "log").mockImplementation((m: unknown) => {
    printed.out += `${String(m)}\n`;
  });
  vi.spyOn(console, "error").mockImplementation((m: unknown) => {
    printed.err += `${String(m)}\n`;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("parseCommandLine", () => {
  it("reads a negative number after an option as its value (-7, -1, -1e-3, -.5), never as an ambiguous option", () => {
    for (const [value, expected] of [
      ["-7", -7],
      ["-1", -1],
      ["-1e-3", -1e-3],
      ["-.5", -0.5],
    ] as const) {
      expect(parseCommandLine(["train", "--seed", value])).toEqual({ name: "train", options: { seed: expected } });
      expect(parseCommandLine(["train", `--lr=${value}`])).toEqual({ name: "train", options: { lr: expected } });
    }
    expect(parseCommandLine(["cnn", "--lr", "-1", "--quick"])).toEqual({
      name: "cnn",
      options: { lr: -1, quick: true },
    });
    // A flag takes no value: a negative number after it is a stray argument.
    expect(() => parseCommandLine(["train", "--quick", "-7"])).toThrow(UsageError);
  });

  it("`<experiment> --help`, `-h` and `help <experiment>` ask for that experiment's help", () => {
    for (const name of EXPERIMENTS) {
      const help = parseCommandLine([name, "--help"]);
      expect(help).toEqual(parseCommandLine(["help", name]));
      expect(help).toEqual(parseCommandLine([name, "--quiet", "-h"]));
      expect("help" in help && help.help).toContain(`usage: pnpm lecture ${name} [options]`);
    }
  });

  it("an experiment that is not one (or an Object property such as constructor) is named with the valid ones", () => {
    for (const name of ["nope", "constructor", "toString"]) {
      expect(() => parseCommandLine([name])).toThrow(
        new RegExp(`unknown experiment "${name}"; valid experiments: random-search, `),
      );
      expect(() => checkCommand(name, {})).toThrow(UsageError);
      expect(() => checkCommand(name, {})).toThrow(`unknown experiment "${name}"`);
    }
    expect(() => checkCommand("train", { lr: 0.1 })).not.toThrow();
  });

  it("an experiment's help lists its own options first, each with its own help, then the common ones", () => {
    const help = parseCommandLine(["download", "--help"]);
    const text = "help" in help ? help.help : "";
    expect(text).toMatch(
      /\noptions:\n {2}--cache-dir DIR +the download cache .*\n {2}--url URL +an http.*\n {2}--timeout S +seconds /,
    );
    expect(text).toMatch(/\ncommon options:\n {2}--quiet +print nothing$/);
  });
});

describe("runCommandLine", () => {
  it("prints every experiment's own help, with each of its options, and exits 0", async () => {
    for (const name of EXPERIMENTS) {
      printed.out = "";
      expect(await runCommandLine([name, "--help"]), name).toBe(0);
      expect(printed.out).toContain(`${name}: `);
      expect(printed.out).toContain("--quiet");
    }
    printed.out = "";
    await runCommandLine(["train", "--help"]);
    for (const option of [
      "--loss",
      "--optimizer",
      "--schedule",
      "--lr",
      "--reg",
      "--batch-size",
      "--epochs",
      "--sweep",
      "--checkpoint",
      "--resume",
      "--data",
      "--out",
      "--seed",
      "--quick",
      "--threads",
    ]) {
      expect(printed.out).toMatch(new RegExp(`\\n  ${option}\\b`));
    }
  });

  it("--seed -7 is a seed: the run uses it", async () => {
    const out = join(root, "seed-7");
    expect(await runCommandLine(["random-search", "--seed", "-7", "--attempts", "2", "--quiet", "--out", out])).toBe(0);
    expect(JSON.parse(readFileSync(join(out, "results.json"), "utf8")).seed).toBe(-7);
    rmSync(out, { recursive: true });
  });

  it("--lr -1 is refused because lr must be positive, with exit 2 (not as an ambiguous option)", async () => {
    expect(await runCommandLine(["train", "--lr", "-1", "--data", emptyData])).toBe(USAGE_EXIT);
    expect(printed.err).toContain("lr must be a number > 0, got -1");
    expect(printed.err).not.toContain("ambiguous");
  });

  it("every usage error exits 2, whatever its kind, and before any data loads", async () => {
    const mistakes = [
      ["trian"],
      ["constructor"],
      ["__proto__"],
      ["help", "toString"],
      ["train", "--nope"],
      ["train", "--lr", "fast"],
      ["train", "--lr", "0"],
      ["train", "--lr", "-Infinity"],
      ["train", "--loss", "hinge"],
      ["train", "--optimizer", "adamax"],
      ["train", "--schedule", "linear"],
      ["train", "--epochs", "1.5"],
      ["train", "--batch-size", "-3"],
      ["train", "--seed", "1.5"],
      ["train", "--threads", "0"],
      ["train", "--threads", "17"],
      ["train", "--threads", "1.5"],
      ["train", "extra"],
      ["train", "--resume"],
      ["train", "--checkpoint", file],
      ["train", "--checkpoint", ""],
      ["cnn", "--widths", "1,2"],
      ["cnn", "--optimizer", "adam"],
      ["cnn", "--weight-decay", "-1"],
      ["cnn", "--checkpoint", root],
      ["cnn", "--resume", join(root, "none.safetensors")],
      ["cnn", "--resume", file],
      ["cnn", "--resume", ""],
      ["gradients", "--batch", "0"],
      ["batch-modes", "--seconds", "-1"],
      ["lr-decay", "--rows", "0"],
      ["optimizers", "--epochs", "0"],
      ["templates", "--loss", "x"],
      ["random-search", "--attempts", "0"],
      ["random-search", "--scale", "-1"],
      ["two-layer", "--reg", "-0.5"],
      ["train", "--data", join(root, "nowhere")],
      ["train", "--data", file],
      ["train", "--data", ""],
      ["train", "--data", root],
      ["tour", "--data", root],
      ["train", "--out", file],
      ["train", "--out", ""],
      ["train", "--out", join(file, "below")],
      ["download", "--url", "ftp://example.com/x.tar.gz"],
      ["download", "--url", "not a url"],
      ["download", "--cache-dir", file],
      ["download", "--cache-dir", ""],
      ["download", "--timeout", "0"],
      ["download", "--timeout", "-5"],
      ["tour", "--out", file],
      ["tour", "--seed", "x"],
    ];
    for (const args of mistakes) {
      printed.err = "";
      const data = args[0] !== "download" && !args.includes("--data") ? ["--data", emptyData] : [];
      expect(await runCommandLine([...args, ...data, "--quiet"]), `${args.join(" ")}: ${printed.err}`).toBe(USAGE_EXIT);
      expect(printed.err, args.join(" ")).toMatch(/^lecture/);
      expect(printed.err, args.join(" ")).not.toMatch(/loadCifar10|ENOENT|no such file/i); // nothing was read
    }
  });

  it("an unknown choice lists the valid ones, in plain words (valid losses, not losss)", async () => {
    const cases = [
      [["train", "--loss", "hinge"], 'unknown loss "hinge"; valid losses: svm, softmax'],
      [["templates", "--loss", "l1"], 'unknown loss "l1"; valid losses: svm, softmax'],
      [["train", "--schedule", "linear"], 'unknown schedule "linear"; valid schedules: constant, step, exponential, '],
      [["cnn", "--optimizer", "sgd"], 'unknown optimizer "sgd"; valid optimizers: adamw, nesterov'],
    ] as const;
    for (const [args, message] of cases) {
      printed.err = "";
      expect(await runCommandLine([...args, "--data", emptyData, "--quiet"])).toBe(USAGE_EXIT);
      expect(printed.err).toContain(message);
    }
  });

  it("checks every experiment's options (and --out) before any data loads: the refusal is the option's, not the data's", async () => {
    const bad: Record<string, string[]> = {
      "random-search": ["--scale", "0"],
      gradients: ["--coordinates", "0"],
      train: ["--reg", "-1"],
      "batch-modes": ["--mini-batch", "0"],
      "lr-decay": ["--lr", "-2"],
      optimizers: ["--rows", "-5"],
      "two-layer": ["--hidden", "0"],
      cnn: ["--rows", "0"],
      templates: ["--epochs", "0"],
      tour: ["--seed", "0.5"],
    };
    for (const [name, args] of Object.entries(bad)) {
      for (const extra of [args, ["--out", file]]) {
        printed.err = "";
        const status = await runCommandLine([name, "--data", emptyData, ...extra, "--quiet"]);
        expect(status, `${name} ${extra.join(" ")}: ${printed.err}`).toBe(USAGE_EXIT);
        const option = extra[0]!.slice(2).replace("-", " ");
        expect(printed.err, name).toMatch(new RegExp(`${option === "mini batch" ? "mini-batch" : option}`));
      }
    }
  });

  it("a refused command writes nothing", async () => {
    const out = join(root, "refused");
    expect(await runCommandLine(["cnn", "--checkpoint", root, "--out", out, "--quiet"])).toBe(USAGE_EXIT);
    expect(await runCommandLine(["train", "--resume", "--out", out, "--quiet"])).toBe(USAGE_EXIT);
    expect(readdirSync(root).sort()).toEqual(["a-file", "empty-data"]);
  });

  it("resuming a checkpoint of another run exits 2 and names what differs; the same run resumes (exit 0)", async () => {
    const out = join(root, "resume");
    const checkpoint = join(out, "ckpt");
    const args = ["train", "--quick", "--epochs", "1", "--quiet", "--threads", "1", "--checkpoint", checkpoint];
    const lecture = async (...argv: string[]) => {
      printed.err = "";
      return { status: await runCommandLine(argv), stderr: printed.err };
    };
    expect((await lecture(...args, "--out", join(out, "ckpt-1"))).status).toBe(0);
    expect((await lecture(...args, "--resume", "--out", join(out, "ckpt-2"))).status).toBe(0);
    const otherSettings = await lecture(
      ...args,
      "--resume",
      "--lr",
      "1e-3",
      "--seed",
      "5",
      "--out",
      join(out, "ckpt-3"),
    );
    expect(otherSettings.status).toBe(2);
    expect(otherSettings.stderr).toContain(
      "was made with other settings " +
        "(lr 3e-7 in the checkpoint, 0.001 in this run; seed 0 in the checkpoint, 5 in this run)",
    );
    // Found once the data has loaded (a W of another shape): the same exit status.
    const file = join(checkpoint, "checkpoint.json");
    const saved = readFileSync(file, "utf8");
    const reshaped = { ...JSON.parse(saved), shapes: { W: [3072, 10] }, W: encodeArray(new Float32Array(30720)) };
    writeFileSync(file, JSON.stringify(reshaped));
    const otherShape = await lecture(...args, "--resume", "--out", join(out, "ckpt-3"));
    expect(otherShape.status).toBe(2);
    expect(otherShape.stderr).toContain(
      "holds tensors of other shapes than this run's: W [3072, 10] in the checkpoint",
    );
    writeFileSync(file, saved);
    const state = JSON.parse(readFileSync(join(checkpoint, "checkpoint.json"), "utf8"));
    state.W = { dtype: "float32", length: 100, base64: Buffer.alloc(400).toString("base64") };
    writeFileSync(join(checkpoint, "checkpoint.json"), JSON.stringify(state));
    const shortW = await lecture(...args, "--resume", "--out", join(out, "ckpt-3"));
    expect(shortW.status).toBe(2);
    expect(shortW.stderr).toContain("W holds 100 values, its recorded shape is [3073,10]");
    expect(existsSync(join(out, "ckpt-3"))).toBe(false);
  });

  it("download --timeout S gives up on a server that stalls before its headers, within seconds, leaving the cache empty", async () => {
    const server = createServer(() => {
      /* never answers */
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const { port } = server.address() as AddressInfo;
    const cache = join(root, "download-cache");
    try {
      const started = performance.now();
      const status = await runCommandLine([
        "download",
        "--url",
        `http://127.0.0.1:${port}/cifar.tar.gz`,
        "--timeout",
        "0.3",
        "--cache-dir",
        cache,
        "--quiet",
      ]);
      expect(status).toBe(1);
      expect(printed.err).toMatch(/no data for 300 ms/);
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(existsSync(cache) ? readdirSync(cache).filter((n) => !n.startsWith(".")) : []).toEqual([]);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
