// Where the shared data sets are: $SLOPE_DATASETS_DIR, else ../shared/datasets beside the repository.
// Tests that need a file skip (saying so) when it is absent; CI has them.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join, resolve } from "node:path";

const repositoryRoot = resolve(fileURLToPath(new URL(".", import.meta.url)), "..", "..");

export const DATASETS_DIR = process.env.SLOPE_DATASETS_DIR ?? resolve(repositoryRoot, "..", "shared", "datasets");
export const FIXTURE_100 = join(DATASETS_DIR, "cifar10-test-first100.bin");
export const CIFAR10_ARCHIVE = join(DATASETS_DIR, "cifar-10-binary.tar.gz");

/** True when `file` exists; otherwise prints why the tests that need it are skipped. */
export function available(file: string, what: string): boolean {
  if (existsSync(file)) return true;
  console.warn(`skipping ${what}: ${file} is absent (set SLOPE_DATASETS_DIR to the folder that holds it)`);
  return false;
}
