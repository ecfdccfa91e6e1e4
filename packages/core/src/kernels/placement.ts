// Where each kernel call ran and what it copied, for `tracePlacement`. The backends report to one recorder: the
// WebAssembly kernels say which memory ran a call (`ranIn`) and count each copy between the JavaScript heap and a
// module's memory (`copied`); while a trace runs, the registry hands out a traced twin of the active kernels, which
// opens and closes one record per call. Kernels call each other directly, never through the registry, so a
// convolution by columns is one record, with its products' copies in it.
import { ValueError } from "../errors.js";
import type { Kernels } from "./types.js";

/** Where a kernel call ran. */
export type Place =
  /** The plain-JavaScript kernels, on the JavaScript heap (no copy). */
  | "javascript"
  /** WebAssembly under the "copy" policy (no shared memory here): operands copied into its memory, results out. */
  | "webassembly"
  /** WebAssembly on this thread over the one kernel memory: operands that live there are used in place. */
  | "kernel memory"
  /** The same memory, the work split across the threads (`enableThreads`). */
  | "threads";

/** One kernel call: its op, where it ran, and the bytes copied into and out of a module's memory for it. */
export interface PlacementRecord {
  /** The kernel's name in the `Kernels` interface (`matmul`, `binary:add`, `conv2d`, …). */
  op: string;
  /** Where it ran. */
  place: Place;
  /** Bytes copied between the JavaScript heap and a WebAssembly memory, both ways, for this call. */
  bytesCopied: number;
}

/** What `tracePlacement` saw while its function ran. */
export interface PlacementTrace<T> {
  /** What the function returned. */
  result: T;
  /** Every kernel call, in order. */
  ops: PlacementRecord[];
  /** The bytes copied over all of them. */
  bytesCopied: number;
}

/** The recorder: off (`records` null) except inside `tracePlacement`, when the kernels report to it. */
class PlacementRecorder {
  /** The calls recorded so far; null when no trace is on, which is what the kernels check first. */
  records: PlacementRecord[] | null = null;
  /** The open call's place and bytes. */
  private place: Place = "javascript";
  private bytes = 0;

  /** A kernel call starts. */
  open(): void {
    this.place = "javascript";
    this.bytes = 0;
  }

  /** A WebAssembly memory (labelled `place`) ran the call, or a part of it. */
  ranIn(place: Place): void {
    if (this.records !== null) this.place = place;
  }

  /** `bytes` were copied between the JavaScript heap and a module's memory. */
  copied(bytes: number): void {
    if (this.records !== null) this.bytes += bytes;
  }

  /** The call `op` ends and is recorded. */
  close(op: string): void {
    this.records?.push({ op, place: this.place, bytesCopied: this.bytes });
  }
}

/** The one recorder every backend reports to. @internal */
export const placement = new PlacementRecorder();

/**
 * Runs `f` and reports every kernel call it made: where it ran (JavaScript, WebAssembly copying its operands, WebAssembly
 * on the kernel memory, the threads) and how many bytes were copied between the JavaScript heap and a WebAssembly memory
 * for it. A steady step whose operands all live where its kernels run copies 0 bytes. Traces do not nest.
 */
export function tracePlacement<T>(f: () => T): PlacementTrace<T> {
  if (placement.records !== null)
    throw new ValueError("tracePlacement: a trace is already running (traces do not nest)");
  const ops: PlacementRecord[] = [];
  placement.records = ops;
  try {
    const result = f();
    return { result, ops, bytesCopied: ops.reduce((total, record) => total + record.bytesCopied, 0) };
  } finally {
    placement.records = null;
  }
}

/** Each backend's traced twin, made once: every kernel call opens and closes a record. */
const tracedTwins = new WeakMap<Kernels, Kernels>();

/**
 * `kernels` with every call recorded (the one the registry hands out while a trace is on). A binary or unary call is named with its op (`binary:add`). @internal
 */
export function traced(kernels: Kernels): Kernels {
  let twin = tracedTwins.get(kernels);
  if (twin === undefined) {
    const copy: Record<string, unknown> = { ...kernels };
    for (const [key, value] of Object.entries(kernels)) {
      if (typeof value !== "function") continue;
      copy[key] = (...args: unknown[]) => {
        placement.open();
        try {
          return (value as (...a: unknown[]) => unknown).apply(kernels, args);
        } finally {
          placement.close(typeof args[0] === "string" ? `${key}:${args[0]}` : key);
        }
      };
    }
    twin = copy as unknown as Kernels;
    tracedTwins.set(kernels, twin);
  }
  return twin;
}
