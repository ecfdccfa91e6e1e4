import { randomBytes } from "node:crypto";
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { ValueError } from "@slope/core";

/**
 * The temporary names `writeFileAtomic` gives: `.<name>.<pid>.<12 hex digits>.tmp` beside the target
 * (and `.<name>.<12 hex digits>.tmp`, the form before the writer's pid was part of the name). Only
 * files of exactly this form are ever removed as stale.
 */
function temporaryPattern(name: string): RegExp {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^\\.${escaped}\\.(?:(\\d+)\\.)?[0-9a-f]{12}\\.tmp$`);
}

/** Whether process `pid` is running (signal 0 tests without sending anything; EPERM means it runs as another user). */
function running(pid: number): boolean {
  if (pid === process.pid) return false; // this process writes synchronously: none of its own writes is under way
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes the temporaries of `path` that a killed write left behind: files named as
 * `writeFileAtomic` names them whose writer is no longer running. Nothing else is touched.
 */
export function removeStaleTemporaries(path: string): string[] {
  const folder = dirname(path);
  const pattern = temporaryPattern(basename(path));
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return removed; // no folder yet: nothing stale in it
  }
  for (const name of names) {
    const match = pattern.exec(name);
    if (!match || (match[1] !== undefined && running(Number(match[1])))) continue;
    const file = join(folder, name);
    try {
      if (!statSync(file).isFile()) continue;
      rmSync(file, { force: true });
      removed.push(file);
    } catch {
      // gone meanwhile, or not ours to remove: leave it
    }
  }
  return removed;
}

/** Flushes a folder's entries to the disk, so that a rename in it survives a power cut (where the OS allows it). */
function syncFolder(folder: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(folder, "r");
    fsyncSync(fd);
  } catch {
    // Windows cannot open a folder, some file systems refuse to fsync one: the rename is still atomic
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/**
 * Writes a file atomically and durably: the bytes go to a temporary file beside it, are flushed to
 * the disk (fsync), and the temporary is then renamed over the target and the folder flushed, so a
 * crash or a power cut leaves either the old file or the new one, never half of one. Temporaries
 * left by an earlier write that was killed are removed first.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  removeStaleTemporaries(path);
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    const fd = openSync(temporary, "wx");
    try {
      writeFileSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  syncFolder(dirname(path));
}

/** JSON with numbers as they are (NaN and ±∞ as strings), pretty-printed. */
export function writeJsonAtomic(path: string, value: unknown): void {
  const json = JSON.stringify(value, (_, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v), 2);
  writeFileAtomic(path, `${json}\n`);
}

/** Checks that `value` is a non-empty string naming a path. */
function pathOption(what: string, value: unknown): string {
  if (typeof value !== "string") throw new ValueError(`${what} must be a path, got ${typeof value}`);
  if (value.trim() === "") throw new ValueError(`${what} must be a path, got an empty string`);
  return value;
}

/** The nearest existing folder at or above `path`, checked to be a folder this process may write into. */
function writableAncestor(what: string, path: string): void {
  let at = resolve(path);
  while (!existsSync(at)) {
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  if (!statSync(at).isDirectory()) {
    throw new ValueError(`${what} ${path} cannot be made: ${at} is a file, not a folder`);
  }
  try {
    accessSync(at, constants.W_OK);
  } catch {
    throw new ValueError(`${what} ${path} cannot be written: the folder ${at} is not writable`);
  }
}

/**
 * Checks, before anything runs, that `path` is a folder the run can write into or create: a
 * non-empty path that is not a file, whose nearest existing ancestor is a writable folder.
 * Creates nothing.
 */
export function checkOutputFolder(what: string, value: unknown): string {
  const path = pathOption(what, value);
  if (existsSync(path) && !statSync(path).isDirectory()) {
    throw new ValueError(`${what} must be a folder, but ${path} is a file`);
  }
  writableAncestor(what, path);
  return path;
}

/**
 * Checks, before anything runs, that `path` is a file the run can write (or create): a non-empty
 * path that is not a folder, in a folder that exists or can be made. Creates nothing.
 */
export function checkOutputFile(what: string, value: unknown): string {
  const path = pathOption(what, value);
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) throw new ValueError(`${what} must be a file, but ${path} is a folder`);
    try {
      accessSync(path, constants.W_OK);
    } catch {
      throw new ValueError(`${what} ${path} is not writable`);
    }
  }
  writableAncestor(what, dirname(resolve(path)));
  return path;
}
