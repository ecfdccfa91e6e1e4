import { existsSync, readFileSync } from "node:fs";
import { ValueError } from "@slope/core";
import { type Module, loadSafetensors, saveSafetensors, safetensorsMetadata } from "@slope/nn";
import { writeFileAtomic } from "../output/files.js";

/** The metadata key under which the training state (JSON) rides in the weights file. */
const STATE_KEY = "slope.training";

/**
 * Saves a model's checkpoint as ONE safetensors file, atomically (a crash mid-write leaves the
 * previous one): its tensors are exactly the model's `stateDict()` (so the file loads into the same
 * model in PyTorch with `load_state_dict`), and `state` — optimizer, scheduler, data loader, history,
 * plain JSON that round-trips bit for bit — is a string in the file's metadata.
 */
export function saveModelCheckpoint(file: string, model: Module, state: unknown): void {
  writeFileAtomic(file, saveSafetensors(model, { [STATE_KEY]: JSON.stringify(state) }));
}

/**
 * Reads a checkpoint written by `saveModelCheckpoint`: the model's tensors by key and the training
 * state. A missing file, a damaged one or one without the training state is a named error.
 */
export function loadModelCheckpoint<T>(file: string): { tensors: ReturnType<typeof loadSafetensors>; state: T } {
  if (!existsSync(file)) throw new ValueError(`no checkpoint ${file} to resume from`);
  const bytes = new Uint8Array(readFileSync(file));
  const tensors = loadSafetensors(bytes); // a truncated or malformed file is a DataFormatError
  const json = safetensorsMetadata(bytes)[STATE_KEY];
  if (json === undefined) {
    throw new ValueError(`${file} holds weights but no training state ("${STATE_KEY}" metadata): not a checkpoint`);
  }
  return { tensors, state: JSON.parse(json) as T };
}
