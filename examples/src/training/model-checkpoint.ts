import { existsSync, readFileSync, statSync } from "node:fs";
import { ValueError } from "@slope/core";
import { type Module, loadSafetensors, saveSafetensors, safetensorsMetadata } from "@slope/nn";
import { writeFileAtomic } from "../output/files.js";
import { CheckpointFormatError, restoring } from "./checkpoint.js";

/** The metadata key under which the training state (JSON) rides in the weights file. */
const STATE_KEY = "slope.training";

/** The shape of each of a model's tensors (its `stateDict()`), by name: what a checkpoint records. */
export function tensorShapes(tensors: Record<string, { shape: readonly number[] }>): Record<string, number[]> {
  return Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, [...t.shape]]));
}

/**
 * Saves a model's checkpoint as ONE safetensors file, atomically and durably (a crash mid-write
 * leaves the previous one): its tensors are exactly the model's `stateDict()` (so the file loads
 * into the same model in PyTorch with `load_state_dict`), and `state` — optimizer, scheduler, data
 * loader, history, plain JSON that round-trips bit for bit — is a string in the file's metadata.
 */
export function saveModelCheckpoint(file: string, model: Module, state: unknown): void {
  writeFileAtomic(file, saveSafetensors(model, { [STATE_KEY]: JSON.stringify(state) }));
}

/**
 * Reads a checkpoint written by `saveModelCheckpoint`: the model's tensors by key and the training
 * state (a JSON object). A missing file is a ValueError; a folder, a damaged or truncated file, or
 * one without a readable training state is a CheckpointFormatError (a DataFormatError) naming the file.
 */
export function loadModelCheckpoint<T>(file: string): { tensors: ReturnType<typeof loadSafetensors>; state: T } {
  if (!existsSync(file)) throw new ValueError(`no checkpoint ${file} to resume from`);
  if (!statSync(file).isFile()) throw new CheckpointFormatError(`${file} is a folder, not a checkpoint`);
  const bytes = new Uint8Array(readFileSync(file));
  // A truncated or malformed file: nn's DataFormatError, as a CheckpointFormatError naming the file.
  const tensors = restoring(file, "weights file", () => loadSafetensors(bytes));
  const json = restoring(file, "weights file", () => safetensorsMetadata(bytes))[STATE_KEY];
  if (json === undefined) {
    throw new CheckpointFormatError(
      `${file} holds weights but no training state ("${STATE_KEY}" metadata): ` + "not a checkpoint",
    );
  }
  let state: unknown;
  try {
    state = JSON.parse(json);
  } catch (error) {
    throw new CheckpointFormatError(`${file}: its training state is not JSON: ${(error as Error).message}`);
  }
  if (typeof state !== "object" || state === null || Array.isArray(state)) {
    throw new CheckpointFormatError(`${file}: its training state is not an object: ${json.slice(0, 40)}`);
  }
  return { tensors, state: state as T };
}
