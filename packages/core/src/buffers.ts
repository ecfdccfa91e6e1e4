import { type DType, type FloatArray, dtypeOf } from "./dtype.js";
import { SlopeError, ValueError } from "./errors.js";

/**
 * Where tensors get their storage. Outside a reused step every allocation is a fresh zero-filled
 * typed array. Inside one (see `reuseBuffers`) the n-th allocation of a call gets the n-th buffer
 * of the previous call back, zero-filled, when its size and dtype match: a step whose shapes do
 * not change allocates nothing after its first call, the dataflow graph replayed over the same
 * memory. (A fresh array also costs the page faults of first touching it, which a reused one has
 * paid already: for arrays of a megabyte that is most of an elementwise op's time.) After the
 * first call that needed no new buffer, the float32 buffers move, once, into the WebAssembly
 * kernels' own memory (a module instance of the step's own, which never grows, so the arrays
 * never detach): from then on the kernels read and write them where they are, instead of copying
 * every operand in and every result out.
 */

/** The buffers of one reused step, in the order its last call allocated them. */
class BufferReplay {
  /** By allocation index; undefined where the buffer moved into the kernels' memory. */
  private readonly buffers: (FloatArray | undefined)[] = [];
  /**
   * The float32 buffers moved into the kernels' own memory (`Kernels.residentArrays`) after a call
   * that made no new buffer, by allocation index; tried before `buffers`. null until then.
   */
  private resident: (Float32Array | undefined)[] | null = null;
  /** By allocation index, the size the last call asked for, or −1 where it asked for float64. */
  private readonly sizes: number[] = [];
  private next = 0;
  /** Allocations of the current (or last) call that found no matching buffer and made one. */
  misses = 0;
  /** Float32 allocations of the current call that no resident buffer fitted. */
  private residentMisses = 0;
  /** Set when the kernels had no memory to move the buffers into (JavaScript kernels, float64 steps). */
  private stayPut = false;
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
    this.residentMisses = 0;
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
    this.sizes[at] = dtype === "float32" ? size : -1;
    if (this.resident !== null && dtype === "float32") {
      const home = this.resident[at];
      if (home !== undefined && home.length === size) {
        if (this.isArgument(home)) return this.spare(at, dtype, size);
        if (zeroed) home.fill(0);
        return home;
      }
      this.residentMisses++;
    }
    const kept = this.buffers[at];
    if (kept !== undefined && kept.length === size && dtypeOf(kept) === dtype) {
      if (this.isArgument(kept)) return this.spare(at, dtype, size);
      if (zeroed) kept.fill(0);
      return kept;
    }
    this.misses++;
    const fresh = freshArray(dtype, size);
    this.buffers[at] = fresh;
    return fresh;
  }

  /** The spare buffer of allocation `at` (made the first time, and counted as a miss), zero-filled. */
  private spare(at: number, dtype: DType, size: number): FloatArray {
    const spare = this.spares[at];
    if (spare !== undefined && spare.length === size && dtypeOf(spare) === dtype && !this.isArgument(spare)) {
      spare.fill(0);
      return spare;
    }
    this.misses++;
    const fresh = freshArray(dtype, size);
    this.spares[at] = fresh;
    return fresh;
  }

  /**
   * After a call. A call that made no new buffer has steady shapes: its float32 buffers move into
   * the kernels' memory, once (again only if the steady shapes change), so that the ops read and
   * write them there instead of copying them in and out of it around every kernel.
   */
  end(): void {
    if (this.misses > 0 || this.stayPut || (this.resident !== null && this.residentMisses === 0)) return;
    const moving: number[] = [];
    for (let i = 0; i < this.next; i++) if (this.sizes[i]! >= 0) moving.push(i);
    const arrays = moving.length > 0 ? residentArrays(moving.map((i) => this.sizes[i]!)) : null;
    if (arrays === null) {
      this.stayPut = true;
      return;
    }
    const resident: Float32Array[] = [];
    this.resident = resident;
    moving.forEach((i, j) => {
      resident[i] = arrays[j]!;
      this.buffers[i] = undefined; // its place is taken: let it go
    });
  }

  get count(): number {
    return this.buffers.length;
  }

  /** Bytes held: the step's own buffers and those in the kernels' memory. */
  get bytes(): number {
    const held = (total: number, b: FloatArray | undefined) => total + (b?.byteLength ?? 0);
    return this.buffers.reduce(held, 0) + this.spares.reduce(held, 0) + (this.resident ?? []).reduce(held, 0);
  }

  /** Buffers that live in the kernels' memory. */
  get residentCount(): number {
    return (this.resident ?? []).filter((b) => b !== undefined).length;
  }
}

/**
 * A reused step used in a way that would hand one buffer to two live uses: a step calling itself, or called again
 * while an async call is in flight.
 */
export class BufferReuseError extends SlopeError {}

/** Makes float32 arrays in the active kernels' memory (set by the kernel registry); null where there is none. */
let residentArrays: (sizes: readonly number[]) => Float32Array[] | null = () => null;

/** @internal Called once by the kernel registry. */
export function setResidentArrays(make: (sizes: readonly number[]) => Float32Array[] | null): void {
  residentArrays = make;
}

let active: BufferReplay | null = null;

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
  return active === null ? freshArray(dtype, size) : active.take(dtype, size, true);
}

/**
 * Like `allocate`, for an op's output that its kernel writes in full (a product, an elementwise
 * op): a reused buffer keeps its old contents rather than being zero-filled first, which for the
 * megabyte outputs of a large step is a memset saved per op. @internal
 */
export function allocateOutput(dtype: DType, size: number): FloatArray {
  return active === null ? freshArray(dtype, size) : active.take(dtype, size, false);
}

/** What a reused step holds: its buffers, their bytes, how many its last call had to make, and how many live in the kernels' memory. */
export interface ReuseStats {
  /** How many buffers the step holds for reuse. */
  buffers: number;
  /** Their total size in bytes. */
  bytes: number;
  /** How many buffers the last call had to make afresh (0 once the step's shapes are steady). */
  misses: number;
  /** How many of them live in the kernels' (WebAssembly) memory, used there without copies. */
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
 * arrays at all (PyTorch's CUDA graphs and TensorFlow's tf.function make the same trade), and
 * after the second its float32 tensors live in the kernels' memory, where the kernels use them
 * without copies (`stats.resident` counts them; a batch gathered inside the step is one).
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
    const outer = active;
    active = replay;
    replay.running = true;
    replay.begin(args);
    try {
      const result = step(...args);
      replay.end();
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
      active = outer;
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
 * A zero-filled array for storage that outlives any step and that the kernels read often (a
 * loader's batch buffer): in the kernels' own memory when they have one, so that the products read
 * it where it is, with no copy; else a fresh array (float64, the JavaScript kernels).
 */
export function residentArray(dtype: DType, size: number): FloatArray {
  return (dtype === "float32" ? residentArrays([size])?.[0] : undefined) ?? freshArray(dtype, size);
}

/**
 * Runs `make` with fresh allocations even inside a reused step: for storage that outlives the call
 * (an optimizer's moments, a gradient accumulated across calls; a loader's batch buffer is a
 * `residentArray`).
 */
export function persistent<T>(make: () => T): T {
  const outer = active;
  active = null;
  try {
    return make();
  } finally {
    active = outer;
  }
}

/** Whether the caller runs inside a `reuseBuffers` step (and its allocations are scratch). */
export function reusingBuffers(): boolean {
  return active !== null;
}
