import { type DType, type FloatArray, dtypeOf } from "./dtype.js";
import { SlopeError, ValueError } from "./errors.js";
import { kernelMemory } from "./kernels/wasm/kernel-memory.js";

/**
 * Where tensors get their storage. Outside a reused step every allocation is a fresh zero-filled
 * typed array on the JavaScript heap: short-lived tensors are the garbage collector's. Storage that
 * outlives a call lives in the kernel memory (the one WebAssembly memory the kernels and the threads
 * share, kernels/wasm/kernel-memory.ts), where the kernels use it in place: a reused step's buffers
 * (`reuseBuffers`), and what is made under `persistent` (gradients, optimizer state) or by `ownedArray`
 * (parameters, a loader's batches, a data set's bytes). Each such array owns its block, which is freed
 * when the array is collected.
 *
 * The one rule a user must know: **keep an array while you use a view you made from it.** A subarray
 * of `t.data`, or a new typed array over `t.data.buffer`, does not keep the block alive; once `t.data`
 * itself is gone, the block may hold another tensor's values.
 *
 * Inside a reused step the n-th allocation of a call gets the n-th buffer of the previous call back,
 * zero-filled, when its size and dtype match: a step whose shapes do not change allocates nothing after
 * its first call, the dataflow graph replayed over the same memory.
 */

/** The buffers of one reused step, in the order its last call allocated them. */
class BufferReplay {
  /** By allocation index, in the kernel memory where there is one (see `ownedArray`). */
  private readonly buffers: (FloatArray | undefined)[] = [];
  private next = 0;
  /** Allocations of the current (or last) call that found no matching buffer and made one. */
  misses = 0;
  /** Set while a call runs: a step calling itself would hand its own live buffers out again. */
  running = false;
  /** Set while the promise an async step returned has not settled: its continuation still uses the buffers. */
  pending = false;
  /**
   * By allocation index, a second buffer, used when the usual one is an argument of the call (`x = step(x)` passes
   * the previous call's output back in): the two alternate, so that no op reads and writes one buffer.
   */
  private readonly spares: (FloatArray | undefined)[] = [];
  /** The arrays the current call's arguments hold (tensors, Vars' values, one level of arrays and objects). */
  private arguments: FloatArray[] = [];

  begin(args: readonly unknown[]): void {
    this.next = 0;
    this.misses = 0;
    this.arguments = argumentArrays(args);
  }

  /** Whether `array` shares memory with an array the call was given. */
  private isArgument(array: FloatArray): boolean {
    for (const a of this.arguments) {
      const overlaps =
        a.byteOffset < array.byteOffset + array.byteLength && array.byteOffset < a.byteOffset + a.byteLength;
      if (a.buffer === array.buffer && overlaps) return true;
    }
    return false;
  }

  take(dtype: DType, size: number, zeroed: boolean): FloatArray {
    const at = this.next++;
    const kept = this.buffers[at];
    if (kept !== undefined && kept.length === size && dtypeOf(kept) === dtype) {
      if (this.isArgument(kept)) return this.spare(at, dtype, size);
      if (zeroed) zeroFill(kept);
      return kept;
    }
    this.misses++;
    const fresh = ownedArray(dtype, size);
    this.buffers[at] = fresh;
    return fresh;
  }

  /** The spare buffer of allocation `at` (made the first time, and counted as a miss), zero-filled. */
  private spare(at: number, dtype: DType, size: number): FloatArray {
    const spare = this.spares[at];
    if (spare !== undefined && spare.length === size && dtypeOf(spare) === dtype && !this.isArgument(spare)) {
      zeroFill(spare);
      return spare;
    }
    this.misses++;
    const fresh = ownedArray(dtype, size);
    this.spares[at] = fresh;
    return fresh;
  }

  get count(): number {
    return this.buffers.length;
  }

  /** Bytes held, spares included. */
  get bytes(): number {
    const held = (total: number, b: FloatArray | undefined) => total + (b?.byteLength ?? 0);
    return this.buffers.reduce(held, 0) + this.spares.reduce(held, 0);
  }

  /** Buffers that live in the kernel memory. */
  get residentCount(): number {
    const memory = kernelMemory();
    return memory === null ? 0 : this.buffers.filter((b) => b !== undefined && memory.holds(b)).length;
  }
}

/**
 * A reused step used in a way that would hand one buffer to two live uses: a step calling itself, or called again
 * while an async call is in flight.
 */
export class BufferReuseError extends SlopeError {}

/** Where allocations go now: a reused step's replay, owned storage (inside `persistent`), or the heap (null). */
let allocations: BufferReplay | "owned" | null = null;

/** Zero-fills `array`: in the kernel memory with memory.fill, which is faster there than a JavaScript fill. */
function zeroFill(array: FloatArray): void {
  const memory = kernelMemory();
  if (memory?.holds(array)) memory.zero(array);
  else array.fill(0);
}

/** A float32 or float64 array, or null. */
function floatArrayOf(value: unknown): FloatArray | null {
  return value instanceof Float32Array || value instanceof Float64Array ? value : null;
}

/**
 * The float arrays held by a step's arguments: typed arrays, tensors (`.data`), Vars (`.value.data`), and the same one
 * level down in arrays and plain objects (a batch `{ x, y }`, a list of tensors).
 */
function argumentArrays(args: readonly unknown[]): FloatArray[] {
  const found: FloatArray[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (typeof value !== "object" || value === null) return;
    const direct =
      floatArrayOf(value) ??
      floatArrayOf((value as { data?: unknown }).data) ??
      floatArrayOf((value as { value?: { data?: unknown } }).value?.data);
    if (direct !== null) {
      found.push(direct);
      return;
    }
    if (depth === 0 || ArrayBuffer.isView(value)) return;
    for (const inner of Array.isArray(value) ? value : Object.values(value)) visit(inner, depth - 1);
  };
  for (const arg of args) visit(arg, 1);
  return found;
}

/** A new zero-filled array; a size no typed array can have, or memory the platform will not give, is a ValueError. */
function freshArray(dtype: DType, size: number): FloatArray {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new ValueError(`allocate: expected a non-negative integer size, got ${size}`);
  }
  try {
    return dtype === "float64" ? new Float64Array(size) : new Float32Array(size);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    const bytes = size * (dtype === "float64" ? 8 : 4);
    throw new ValueError(
      `allocate: cannot make a ${dtype} array of ${size} elements (${bytes} bytes): ` + error.message,
    );
  }
}

/** A zero-filled array of `size` elements of `dtype`: fresh, or inside a reused step, the step's own. */
export function allocate(dtype: DType, size: number): FloatArray {
  if (allocations === null) return freshArray(dtype, size);
  return allocations === "owned" ? ownedArray(dtype, size) : allocations.take(dtype, size, true);
}

/**
 * An array that is never a reused step's scratch (what `clone` returns, so that a clone made inside a step is the
 * caller's to keep): owned storage under `persistent`, else a fresh array. @internal
 */
export function allocateKept(dtype: DType, size: number): FloatArray {
  return allocations === "owned" ? ownedArray(dtype, size) : freshArray(dtype, size);
}

/**
 * Like `allocate`, for an op's output that its kernel writes in full (a product, an elementwise
 * op): a reused buffer keeps its old contents rather than being zero-filled first, which for the
 * megabyte outputs of a large step is a memset saved per op. @internal
 */
export function allocateOutput(dtype: DType, size: number): FloatArray {
  if (allocations === null) return freshArray(dtype, size);
  return allocations === "owned" ? ownedArray(dtype, size) : allocations.take(dtype, size, false);
}

/** What a reused step holds: its buffers, their bytes, how many its last call had to make, and how many live in the kernel memory. */
export interface ReuseStats {
  /** How many buffers the step holds for reuse. */
  buffers: number;
  /** Their total size in bytes. */
  bytes: number;
  /** How many buffers the last call had to make afresh (0 once the step's shapes are steady). */
  misses: number;
  /** How many of them live in the kernel memory (WebAssembly), used there without copies. */
  resident: number;
}

/** A step wrapped by `reuseBuffers`. */
export type ReusedStep<A extends unknown[], R> = ((...args: A) => R) & {
  /** What the step holds now, read after any call. */
  readonly stats: ReuseStats;
};

/**
 * Wraps a training step so that every tensor it allocates reuses the buffer its previous call
 * allocated at the same point: after the first call a step of fixed shapes creates no typed
 * arrays at all (PyTorch's CUDA graphs and TensorFlow's tf.function make the same trade). Its float32
 * buffers live in the kernel memory, where the kernels (and the threads) use them without copies
 * (`stats.resident` counts them; a batch gathered inside the step is one).
 *
 *     const step = reuseBuffers((xb, yb) => { ...forward, backward, opt.step(); return loss.item(); });
 *
 * The contract: whatever the step creates is scratch, overwritten by its next call. Read what you
 * keep (numbers, `clone` outside the step) before calling again. Parameters updated in place,
 * optimizer state, gradients and DataLoader batches are kept outside the scratch (`persistent`).
 * A call whose shapes differ from the last one's is still correct: the buffers that no longer
 * fit are replaced, and `stats.misses` counts them. Reused steps may nest; each keeps its own.
 *
 * The rule, and what is checked: a buffer is never handed to two live uses.
 * - A call may be given the previous call's output (`x = step(x)`, also inside arrays or objects one level down):
 *   an allocation whose buffer is one of the call's arguments gets a second buffer instead, and the two alternate,
 *   so an op such as `matmul(A, x)` or `transpose(x)` never reads and writes one buffer.
 * - An async step's buffers are in use until its promise settles: calling it again before that is a
 *   BufferReuseError (await each call), as is a step calling itself.
 * - Anything else the step made in earlier calls is scratch: read it, or `clone` it outside the step, before calling
 *   again.
 */
export function reuseBuffers<A extends unknown[], R>(step: (...args: A) => R): ReusedStep<A, R> {
  const replay = new BufferReplay();
  const run = (...args: A): R => {
    if (replay.running) {
      throw new BufferReuseError(
        "reuseBuffers: the step called itself; its buffers are in use until it returns " +
          "(wrap the inner call in a reuseBuffers of its own)",
      );
    }
    if (replay.pending) {
      throw new BufferReuseError(
        "reuseBuffers: the step was called again before the promise of its previous call " +
          "settled; that call still uses the buffers (await each call before the next, or give each concurrent " +
          "caller a reuseBuffers of its own)",
      );
    }
    const outer = allocations;
    allocations = replay;
    replay.running = true;
    replay.begin(args);
    try {
      const result = step(...args);
      if (typeof (result as { then?: unknown } | null)?.then === "function") {
        // An async step: what it allocated before its first await is in use until its promise settles.
        replay.pending = true;
        const settle = () => {
          replay.pending = false;
        };
        (result as PromiseLike<unknown>).then(settle, settle);
      }
      return result;
    } finally {
      replay.running = false;
      allocations = outer;
    }
  };
  return Object.defineProperty(run, "stats", {
    get: (): ReuseStats => ({
      buffers: replay.count,
      bytes: replay.bytes,
      misses: replay.misses,
      resident: replay.residentCount,
    }),
  }) as ReusedStep<A, R>;
}

/**
 * A zero-filled array for storage that outlives any step and that the kernels read often (a parameter, a loader's
 * batch, a data set): in the kernel memory when there is one (the "one memory" policy), where the kernels and
 * the threads use it in place, with no copy; else a fresh array. Its block is freed when the array is collected:
 * keep the array while you use any view made from it.
 */
export function ownedArray(dtype: DType, size: number): FloatArray {
  const memory = kernelMemory();
  const owned = dtype === "float32" ? memory?.ownFloat32(size) : memory?.ownFloat64(size);
  return owned ?? freshArray(dtype, size);
}

/** Each view made by `ownedView`, with the array it views: the view keeps its owner, and so its block, alive. */
const owners = new WeakMap<object, object>();

/**
 * Elements [start, end) of `owner` as a view that keeps `owner` alive as long as it lives (a plain subarray does not,
 * and an owned array's block is freed with the array): how the library hands out part of owned storage.
 */
export function ownedView<T extends FloatArray | Int32Array>(owner: T, start: number, end: number): T {
  if (start === 0 && end === owner.length) return owner;
  const view = owner.subarray(start, end) as T;
  owners.set(view, owner);
  return view;
}

/**
 * `view` (made over `owner`'s memory: another type over its bytes) keeps `owner`, and so its block, alive as long as
 * it lives. Returns `view`.
 */
export function keepingOwner<T extends ArrayBufferView>(view: T, owner: ArrayBufferView): T {
  if (view !== owner) owners.set(view, owner);
  return view;
}

/** Int32 indices that outlive any step (a loader's order), in the kernel memory when there is one; see `ownedArray`. */
export function ownedIndices(size: number): Int32Array {
  return kernelMemory()?.ownInt32(size) ?? new Int32Array(size);
}

/** Bytes that outlive any step (a data set's images), in the kernel memory when there is one; see `ownedArray`. */
export function ownedBytes(size: number): Uint8Array {
  return kernelMemory()?.ownBytes(size) ?? new Uint8Array(size);
}

/**
 * Runs `make` with its allocations in storage that outlives the call, even inside a reused step: the kernel memory
 * where there is one (an optimizer's moments, a gradient accumulated across calls). See `ownedArray`.
 */
export function persistent<T>(make: () => T): T {
  const outer = allocations;
  allocations = "owned";
  try {
    return make();
  } finally {
    allocations = outer;
  }
}

/** Whether the caller runs inside a `reuseBuffers` step (and its allocations are scratch). */
export function reusingBuffers(): boolean {
  return allocations instanceof BufferReplay;
}
