// The lecture CLI as a user meets it: bad input exits non-zero with a message that lists the valid values.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const cli = resolve(import.meta.dirname, "..", "dist", "cli.js");
const out = mkdtempSync(join(tmpdir(), "slope-cli-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const env = { ...process.env, SLOPE_CIFAR_DIR: "", SLOPE_CACHE_DIR: join(out, "no-cache") };
const lecture = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", env });
/** Runs the CLI in a fresh empty folder (to see what it writes there), with a time limit. */
const lectureIn = (cwd: string, ...args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", env, cwd, timeout: 30_000 });

describe.skipIf(!existsSync(cli))("the lecture command line (built: examples/dist/cli.js)", () => {
  it("an unknown experiment lists the valid ones", () => {
    const r = lecture("trian");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      'unknown experiment "trian"; valid experiments: random-search, gradients, train, batch-modes, lr-decay, optimizers, two-layer, cnn, templates, tour, download',
    );
  });

  it("an unknown optimizer, a bad lr and an option the experiment does not take are refused with the valid values", () => {
    const optimizer = lecture("train", "--optimizer", "adamax", "--quiet", "--out", out);
    expect(optimizer.status).toBe(2);
    expect(optimizer.stderr).toContain(
      'unknown optimizer "adamax"; valid optimizers: sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw',
    );
    const lr = lecture("train", "--lr", "0", "--quiet", "--out", out);
    expect(lr.status).toBe(2);
    expect(lr.stderr).toContain("lr must be a number > 0, got 0");
    const notANumber = lecture("train", "--lr", "fast");
    expect(notANumber.status).toBe(2);
    expect(notANumber.stderr).toContain('--lr must be a number, got "fast"');
    const foreign = lecture("random-search", "--epochs", "3");
    expect(foreign.status).toBe(2);
    expect(foreign.stderr).toMatch(
      /Unknown option '--epochs'[\s\S]*"random-search" takes: --data --out --seed --quick --quiet --threads --attempts --scale/,
    );
    const threads = lecture("train", "--threads", "0");
    expect(threads.status).toBe(2);
    expect(threads.stderr).toContain("--threads must be a whole number from 1 to 16, got 0");
  });

  it("a missing data folder says where it looked and how to get the data", () => {
    const r = lecture("train", "--data", join(out, "nowhere"), "--quiet");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/does not exist|no folder/);
    expect(r.stderr).toMatch(/pnpm lecture download|--data/);
  });

  it("a good run exits 0 and writes results.json, saying which data it used", () => {
    const r = lecture("random-search", "--attempts", "3", "--out", join(out, "rs"));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("synthetic CIFAR-shaped set (no CIFAR-10 found");
    expect(r.stdout).toContain("in attempt 2 the loss was");
    expect(JSON.parse(readFileSync(join(out, "rs", "results.json"), "utf8")).config.attempts).toBe(3);
  });

  it("--threads splits the two-layer net's products and changes no bit of its losses", () => {
    const losses = (threads: string) => {
      const r = lecture(
        "two-layer",
        "--quick",
        "--quiet",
        "--threads",
        threads,
        "--out",
        join(out, `threads-${threads}`),
      );
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(readFileSync(join(out, `threads-${threads}`, "results.json"), "utf8")).losses as number[];
    };
    const one = losses("1");
    expect(one.length).toBeGreaterThan(5);
    expect(losses("2")).toEqual(one);
  });

  it("--help prints the usage, with cnn's options", () => {
    const r = lecture("--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("usage: pnpm lecture <experiment> [options]");
    const cnnOptions = "--epochs --batch-size --lr --weight-decay --widths --optimizer --rows --checkpoint --resume";
    expect(r.stdout).toContain(
      `a convnet on CIFAR-10 from @slope/nn (conv-bn-relu ×3, augmentation, one-cycle lr)  [${cnnOptions}]`,
    );
    expect(r.stdout).toContain("--checkpoint FILE");
  });

  it("cnn runs from the command line (quick) and refuses bad widths and optimizers by name", () => {
    const good = lecture("cnn", "--quick", "--quiet", "--threads", "1", "--rows", "64", "--out", join(out, "cnn"));
    expect(good.status, good.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, "cnn", "results.json"), "utf8"));
    expect(results.config.widths).toEqual([8, 16, 32]);
    expect(results.files).toEqual(["model.safetensors", "loss.svg", "accuracy.svg"]);
    const widths = lecture("cnn", "--widths", "32,64", "--quiet", "--out", out);
    expect(widths.status).toBe(2);
    expect(widths.stderr).toContain(
      'widths must be three positive whole numbers a,b,c (the channels of the three stages), got "32,64"',
    );
    const optimizer = lecture("cnn", "--optimizer", "sgd", "--quiet", "--out", out);
    expect(optimizer.status).toBe(2);
    expect(optimizer.stderr).toContain('unknown optimizer "sgd"; valid optimizers: adamw, nesterov');
    const resume = lecture("cnn", "--resume", join(out, "nothing.safetensors"), "--quiet", "--out", out);
    expect(resume.status).toBe(2);
    expect(resume.stderr).toMatch(/no checkpoint .*nothing\.safetensors to resume from/);
  });

  it("a negative number is a value: --lr -1 and --lr=-1 are refused because lr must be positive (exit 2)", () => {
    for (const args of [["--lr", "-1"], ["--lr=-1"]]) {
      const r = lecture("train", ...args, "--quiet", "--out", out);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).not.toContain("ambiguous");
      expect(r.stderr).toContain("lr must be a number > 0, got -1");
    }
  });

  it("`train --help` prints train's options and exits 0; a usage error of any kind exits 2", () => {
    const help = lecture("train", "--help");
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain("usage: pnpm lecture train [options]");
    expect(help.stdout).toContain("--checkpoint DIR");
    for (const args of [
      ["train", "--loss", "hinge"],
      ["cnn", "--widths", "1,2"],
      ["download", "--url", "ftp://x/y"],
    ]) {
      const r = lecture(...args, "--quiet");
      expect(r.status, `${args.join(" ")}: ${r.stderr}`).toBe(2);
    }
  });

  it("--data '' and --out '' are refused (exit 2): no silent synthetic data, nothing written into the current folder", () => {
    const here = mkdtempSync(join(out, "cwd-"));
    const data = lectureIn(here, "random-search", "--data", "", "--attempts", "2");
    expect(data.status).toBe(2);
    expect(data.stderr).toContain('data must be a folder (cifar-10-batches-bin, or one holding it), got ""');
    expect(data.stdout).not.toContain("synthetic");
    const output = lectureIn(here, "random-search", "--out", "", "--attempts", "2");
    expect(output.status).toBe(2);
    expect(output.stderr).toContain("out must be a path, got an empty string");
    expect(readdirSync(here)).toEqual([]);
  });
});
