import type { DType, FloatArray } from "./dtype.js";
import { SlopeError } from "./errors.js";

/**
 * Where tensors get their storage. Outside a reused step every allocation is a fresh zero-filled
 * typed array. Inside one (see `reuseBuffers`) the n-th allocation of a call gets the n-th buffer
 * of the previous call back, zero-filled, when its size and dtype match: a step whose shapes do
 * not change allocates nothing after its first call, the dataflow graph replayed over the same
 * memory. (A fresh array also costs the page faults of first touching it, which a reused one has
 * paid already: for arrays of a megabyte that is most of an elementwise op's time.)
 */

/** The buffers of one reused step, in the order its last call allocated them. */
class BufferReplay {
  private readonly buffers: FloatArray[] = [];
  private next = 0;
  /** Allocations of the current (or last) call that found no matching buffer and made one. */
  misses = 0;
  /** Set while a call runs: a step calling itself would hand its own live buffers out again. */
  running = false;

  begin(): void {
    this.next = 0;
    this.misses = 0;
  }

  take(dtype: DType, size: number, zeroed: boolean): FloatArray {
    const at = this.next++;
    const kept = this.buffers[at];
    if (kept !== undefined && kept.length === size && (kept instanceof Float64Array) === (dtype === "float64")) {
      if (zeroed) kept.fill(0);
      return kept;
    }
    this.misses++;
    const fresh = freshArray(dtype, size);
    this.buffers[at] = fresh;
    return fresh;
  }

  get count(): number {
    return this.buffers.length;
  }

  get bytes(): number {
    return this.buffers.reduce((total, b) => total + b.byteLength, 0);
  }
}

let active: BufferReplay | null = null;

function freshArray(dtype: DType, size: number): FloatArray {
  return dtype === "float64" ? new Float64Array(size) : new Float32Array(size);
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

/** What a reused step holds: its buffers, their bytes, and how many its last call had to make. */
export interface ReuseStats {
  buffers: number;
  bytes: number;
  misses: number;
}

/** A step wrapped by `reuseBuffers`. */
export type ReusedStep<A extends unknown[], R> = ((...args: A) => R) & { readonly stats: ReuseStats };

/**
 * Wraps a training step so that every tensor it allocates reuses the buffer its previous call
 * allocated at the same point: after the first call a step of fixed shapes creates no typed
 * arrays at all (PyTorch's CUDA graphs and TensorFlow's tf.function make the same trade).
 *
 *     const step = reuseBuffers((xb, yb) => { ...forward, backward, opt.step(); return loss.item(); });
 *
 * The contract: whatever the step creates is scratch, overwritten by its next call. Read what you
 * keep (numbers, `clone` outside the step) before calling again. Parameters updated in place,
 * optimizer state, gradients and DataLoader batches are kept outside the scratch (`persistent`).
 * A call whose shapes differ from the last one's is still correct: the buffers that no longer
 * fit are replaced, and `stats.misses` counts them. Reused steps may nest; each keeps its own.
 */
export function reuseBuffers<A extends unknown[], R>(step: (...args: A) => R): ReusedStep<A, R> {
  const replay = new BufferReplay();
  const run = (...args: A): R => {
    if (replay.running) throw new SlopeError("reuseBuffers: the step called itself; its buffers are in use until it returns (wrap the inner call in a reuseBuffers of its own)");
    const outer = active;
    active = replay;
    replay.running = true;
    replay.begin();
    try {
      return step(...args);
    } finally {
      replay.running = false;
      active = outer;
    }
  };
  return Object.defineProperty(run, "stats", {
    get: (): ReuseStats => ({ buffers: replay.count, bytes: replay.bytes, misses: replay.misses }),
  }) as ReusedStep<A, R>;
}

/**
 * Runs `make` with fresh allocations even inside a reused step: for storage that outlives the call
 * (an optimizer's moments, a gradient accumulated across calls, a loader's batch buffer).
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
