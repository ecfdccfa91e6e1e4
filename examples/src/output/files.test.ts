// Atomic, durable writes: flushed before the rename; temporaries of killed writes cleaned, nothing else touched.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { ValueError } from "@slope/core";

/** The fs calls writeFileAtomic makes, in order (fsync and rename with what they touched). */
const calls: string[] = [];
vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  const opened = new Map<number, string>();
  return {
    ...fs,
    openSync: (path: string, flags?: string) => {
      const fd = fs.openSync(path, flags ?? "r");
      opened.set(fd, String(path));
      return fd;
    },
    fsyncSync: (fd: number) => {
      calls.push(`fsync ${opened.get(fd)}`);
      return fs.fsyncSync(fd);
    },
    renameSync: (from: string, to: string) => {
      calls.push(`rename ${from} -> ${to}`);
      return fs.renameSync(from, to);
    },
  };
});

const { checkOutputFile, checkOutputFolder, removeStaleTemporaries, writeFileAtomic } = await import("./files.js");

const root = mkdtempSync(join(tmpdir(), "slope-files-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A process id that is not running (a child that has exited). */
function deadPid(): number {
  let pid = 999_999;
  for (; pid > 1; pid--) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ESRCH") return pid;
    }
  }
  throw new Error("no free pid");
}

describe("writeFileAtomic", () => {
  it("flushes the temporary to the disk (fsync) before renaming it over the target, then flushes the folder", () => {
    calls.length = 0;
    const target = join(root, "durable", "checkpoint.json");
    writeFileAtomic(target, "{}");
    expect(readFileSync(target, "utf8")).toBe("{}");
    const rename = calls.findIndex((c) => c.startsWith("rename ") && c.endsWith(`-> ${target}`));
    const temporary = calls[rename]!.slice("rename ".length, calls[rename]!.indexOf(" -> "));
    const flushed = calls.indexOf(`fsync ${temporary}`);
    expect(flushed, calls.join("\n")).toBeGreaterThanOrEqual(0);
    expect(flushed).toBeLessThan(rename);
    expect(calls.slice(rename + 1)).toContain(`fsync ${join(root, "durable")}`);
  });

  it("removes the temporaries a killed write left beside the target, and nothing else", () => {
    const dir = join(root, "stale");
    mkdirSync(dir, { recursive: true });
    const dead = deadPid();
    const stale = [`.checkpoint.json.${dead}.0123456789ab.tmp`, ".checkpoint.json.a1b2c3d4e5f6.tmp"];
    const kept = [
      `.checkpoint.json.${process.ppid}.0123456789ab.tmp`, // a writer that is still running
      ".checkpoint.json.notes.tmp",
      ".checkpoint.json.0123456789ab.tmp.bak",
      "checkpoint.json.0123456789ab.tmp",
      ".results.json.a1b2c3d4e5f6.tmp",
      "mine.tmp",
    ];
    for (const name of [...stale, ...kept]) writeFileSync(join(dir, name), "user bytes");
    writeFileAtomic(join(dir, "checkpoint.json"), "{}");
    for (const name of stale) expect(existsSync(join(dir, name)), name).toBe(false);
    for (const name of kept) expect(readFileSync(join(dir, name), "utf8"), name).toBe("user bytes");
    expect(removeStaleTemporaries(join(dir, "checkpoint.json"))).toEqual([]);
  });

  it("a failed write leaves the previous file and no temporary", () => {
    const dir = join(root, "failed");
    mkdirSync(join(dir, "target.json"), { recursive: true }); // renaming a file over a folder fails
    expect(() => writeFileAtomic(join(dir, "target.json"), "{}")).toThrow();
    expect(readFileSync(join(root, "durable", "checkpoint.json"), "utf8")).toBe("{}");
    expect(removeStaleTemporaries(join(dir, "target.json"))).toEqual([]);
  });
});

describe("output paths are checked before anything runs, and nothing is created by the check", () => {
  it("an empty path, a file given as a folder, a folder given as a file and a path under a file are ValueErrors", () => {
    const file = join(root, "a-file");
    writeFileSync(file, "x");
    expect(() => checkOutputFolder("out", "")).toThrow(new ValueError("out must be a path, got an empty string"));
    expect(() => checkOutputFolder("out", file)).toThrow(`out must be a folder, but ${file} is a file`);
    expect(() => checkOutputFolder("out", join(file, "below"))).toThrow(/cannot be made: .*a-file is a file/);
    expect(() => checkOutputFile("checkpoint", root)).toThrow(`checkpoint must be a file, but ${root} is a folder`);
    expect(() => checkOutputFile("checkpoint", join(file, "ck.safetensors"))).toThrow(ValueError);
    const fresh = join(root, "not-yet", "deeper");
    expect(checkOutputFolder("out", fresh)).toBe(fresh);
    expect(checkOutputFile("checkpoint", join(fresh, "ck.safetensors"))).toBe(join(fresh, "ck.safetensors"));
    expect(existsSync(join(root, "not-yet"))).toBe(false);
  });
});
