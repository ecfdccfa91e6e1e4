import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ValueError } from "@slope/core";
import { writeJsonAtomic } from "../output/files.js";

const FILE = "checkpoint.json";

/** Saves a checkpoint (plain JSON) atomically into `dir`: a crash mid-write leaves the previous one. */
export function saveCheckpoint(dir: string, state: unknown): void {
  writeJsonAtomic(join(dir, FILE), state);
}

/** The checkpoint in `dir`, or null when there is none. */
export function loadCheckpoint<T>(dir: string): T | null {
  const file = join(dir, FILE);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch (error) {
    throw new ValueError(`${file} is not a readable checkpoint: ${(error as Error).message}`);
  }
}
