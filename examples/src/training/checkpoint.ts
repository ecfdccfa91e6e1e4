import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { DataFormatError, ValueError, formatShape } from "@slope/core";
import { writeJsonAtomic } from "../output/files.js";

const FILE = "checkpoint.json";

/**
 * A checkpoint this run cannot continue: made with other settings, on another data set, or
 * holding tensors of other shapes than the run's. Nothing has been loaded when it is thrown.
 */
export class CheckpointMismatchError extends ValueError {}

/**
 * A checkpoint that cannot be read back: truncated, damaged, not a checkpoint, written by an older
 * version, or holding a state its optimizer, schedule or data loader refuses. It is thrown before
 * the run's first step, and nothing the caller holds has changed. (A DataFormatError, as every
 * unreadable file.)
 */
export class CheckpointFormatError extends DataFormatError {}

/**
 * Runs `restore` (loading a checkpoint's states into fresh objects) and reports any refusal as a
 * CheckpointFormatError naming the file and the part, the original error as its cause.
 */
export function restoring<T>(file: string, part: string, restore: () => T): T {
  try {
    return restore();
  } catch (error) {
    if (error instanceof CheckpointFormatError || error instanceof CheckpointMismatchError) throw error;
    const refused = new CheckpointFormatError(`${file}: its ${part} cannot be resumed: ${(error as Error).message}`);
    refused.cause = error;
    throw refused;
  }
}

/**
 * The data set a run trains on, as a checkpoint records it: the rows of each split and a SHA-256
 * over the bytes that define the data (labels and images or the mean image), so that a checkpoint
 * made on other data (another CIFAR folder, the synthetic set, fewer rows) is refused on resume.
 */
export interface DataSetRecord {
  /** Where the data came from, in words (shown in messages; not compared). */
  description: string;
  rows: { train: number; val: number; test: number };
  sha256: string;
}

/** A DataSetRecord: the rows of each split and the SHA-256 of `parts`, in order. */
export function dataSetRecord(
  description: string,
  rows: DataSetRecord["rows"],
  parts: readonly ArrayBufferView[],
): DataSetRecord {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
  return { description, rows: { ...rows }, sha256: hash.digest("hex") };
}

/** What every checkpoint of the lecture records beside its state, and a resuming run must match. */
export interface CheckpointIdentity {
  config: object;
  seed: number;
  dataSet: DataSetRecord;
  /** The shape of every tensor the checkpoint holds, by name. */
  shapes: Record<string, number[]>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isShape = (value: unknown): value is number[] =>
  Array.isArray(value) && value.every((d) => Number.isSafeInteger(d) && d >= 0);
const rowsOf = (r: DataSetRecord["rows"]) => `${r.train} train / ${r.val} val / ${r.test} test rows`;

/** Checks that a checkpoint records its identity in the form `CheckpointIdentity` gives (else a CheckpointFormatError). */
export function checkIdentityForm(file: string, saved: Record<string, unknown>): void {
  const dataSet = saved.dataSet;
  const problem = !isObject(saved.config)
    ? "no settings (config)"
    : !Number.isFinite(saved.seed)
      ? "no seed"
      : !isObject(dataSet) || !isObject(dataSet.rows) || typeof dataSet.sha256 !== "string"
        ? "no record of its data set (written by an older version?)"
        : !isObject(saved.shapes) || !Object.values(saved.shapes).every(isShape)
          ? "no record of its tensors' shapes"
          : null;
  if (problem !== null)
    throw new CheckpointFormatError(`${file} is not a checkpoint this version can resume: ${problem}`);
}

/** The settings that differ between two configs, as "key: saved there, this run's here". */
function differences(saved: object, current: object): string[] {
  const a = saved as Record<string, unknown>,
    b = current as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  const show = (v: unknown) => (v === undefined ? "none" : JSON.stringify(v));
  return keys
    .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .map((k) => `${k} ${show(a[k])} in the checkpoint, ${show(b[k])} in this run`);
}

/**
 * Refuses, with a CheckpointMismatchError naming what differs, a checkpoint made on another data
 * set, holding tensors of other shapes, or made with other settings or another seed than this run.
 */
export function checkSameRun(file: string, saved: CheckpointIdentity, current: CheckpointIdentity): void {
  const [was, is] = [saved.dataSet, current.dataSet];
  if (was.sha256 !== is.sha256 || JSON.stringify(was.rows) !== JSON.stringify(is.rows)) {
    throw new CheckpointMismatchError(
      `the checkpoint ${file} was made on another data set: ` +
        `${was.description} (${rowsOf(was.rows)}, sha256 ${was.sha256.slice(0, 12)}…); ` +
        `this run uses ${is.description} (${rowsOf(is.rows)}, sha256 ${is.sha256.slice(0, 12)}…); ` +
        "resume on the same data",
    );
  }
  const names = [...new Set([...Object.keys(saved.shapes), ...Object.keys(current.shapes)])];
  const shapes = names.filter((n) => JSON.stringify(saved.shapes[n]) !== JSON.stringify(current.shapes[n]));
  if (shapes.length > 0) {
    const shape = (s: number[] | undefined) => (s === undefined ? "absent" : formatShape(s));
    throw new CheckpointMismatchError(
      `the checkpoint ${file} holds tensors of other shapes than this run's: ` +
        shapes
          .map((n) => `${n} ${shape(saved.shapes[n])} in the checkpoint, ${shape(current.shapes[n])} here`)
          .join("; "),
    );
  }
  checkSameSettings(file, saved, current);
}

/**
 * Refuses, with a CheckpointMismatchError listing what differs, a checkpoint made with other
 * settings or another seed. `current.config` may hold only some of the settings (those known
 * before the data loads): only those are compared.
 */
export function checkSameSettings(
  file: string,
  saved: Pick<CheckpointIdentity, "config" | "seed">,
  current: Pick<CheckpointIdentity, "config" | "seed">,
  { only = false }: { only?: boolean } = {},
): void {
  const keys = Object.keys(current.config);
  const savedConfig = saved.config as Record<string, unknown>;
  const was = only ? Object.fromEntries(keys.map((k) => [k, savedConfig[k]])) : saved.config;
  const settings = differences(was, current.config);
  if (saved.seed !== current.seed) settings.push(`seed ${saved.seed} in the checkpoint, ${current.seed} in this run`);
  if (settings.length > 0) {
    throw new CheckpointMismatchError(
      `the checkpoint ${file} was made with other settings (${settings.join("; ")}); ` + "resume with the same ones",
    );
  }
}

/** Numbers a checkpoint's JSON wrote as strings (NaN, ±∞: see writeJsonAtomic), as numbers again. */
export function reviveNumber(value: unknown): number {
  if (typeof value === "number") return value;
  if (value === "NaN" || value === "Infinity" || value === "-Infinity") return Number(value);
  throw new CheckpointFormatError(`a checkpoint number is ${JSON.stringify(value)}`);
}

/** Saves a checkpoint (plain JSON) atomically into `dir`: a crash mid-write leaves the previous one. */
export function saveCheckpoint(dir: string, state: unknown): void {
  writeJsonAtomic(join(dir, FILE), state);
}

/** The checkpoint file in a checkpoint folder. */
export function checkpointFile(dir: string): string {
  return join(dir, FILE);
}

/**
 * The checkpoint in `dir`, or null when there is none. A file that is not JSON of an object is a
 * CheckpointFormatError naming the file.
 */
export function loadCheckpoint<T>(dir: string): T | null {
  const file = join(dir, FILE);
  if (!existsSync(file)) return null;
  if (!statSync(file).isFile()) throw new CheckpointFormatError(`${file} is a folder, not a checkpoint`);
  let state: unknown;
  try {
    state = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new CheckpointFormatError(`${file} is not a readable checkpoint: ${(error as Error).message}`);
  }
  if (!isObject(state)) {
    throw new CheckpointFormatError(`${file} is not a checkpoint: it holds ${JSON.stringify(state)?.slice(0, 40)}`);
  }
  return state as T;
}
