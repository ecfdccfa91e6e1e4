// The one WebAssembly memory of the process: who made it, what lives in it, and the kernels' instance on it.
//
// Layout, in floats from the start:
//   [0, RESERVED)        the module's own data
//   [RESERVED, top)      owned blocks: storage that outlives any kernel call (parameters, gradients, optimizer
//                        state, a reused step's buffers, a loader's batches, a data set's bytes), each freed when the
//                        JavaScript view over it is collected
//   [top, end)           scratch: where a kernel call lays out what it copies in, transposes or packs; dead
//                        between calls, so owned blocks may move `top` up between calls
//
// Where threads are possible (a SharedArrayBuffer: Node, a cross-origin-isolated page) the memory is shared, and it
// grows without detaching anything: a view keeps the (smaller) buffer it was made on, which still reads the same
// bytes. That is what lets storage live here at all. Where it is not shared, growing would detach every view, so
// nothing is owned here and every operand is copied in and out of scratch (the "copy" policy).
import { decodeBase64 } from "../../encoding.js";
import { KERNELS_SHARED_WASM_BASE64, KERNELS_WASM_BASE64 } from "./module.js";
import type { KernelExports, WasmMemory } from "./exports.js";
import { webAssembly } from "./webassembly.js";

/** Floats reserved at the start of the memory for the module's own data. */
export const RESERVED = 16_384;
const PAGE_FLOATS = 65_536 / 4;
/** The shared memory's largest size in 64 KiB pages (2 GiB, as the shared module declares): byte offsets stay below 2³¹. */
export const SHARED_MAX_PAGES = 32_768;
/** The most floats a memory may reach: byte offsets are passed to the module as i32. */
const MAX_FLOATS = SHARED_MAX_PAGES * PAGE_FLOATS;
/** Owned blocks start on 64-byte boundaries (a cache line, and whole SIMD vectors). */
const ALIGN_FLOATS = 16;

/**
 * How operands reach the kernels:
 * - "one memory": the memory is shared and holds owned storage; an operand that lives there is used in place, and
 *   the threads read it too.
 * - "copy": the memory is the module's own (no SharedArrayBuffer here); every operand is copied into scratch and
 *   every result out.
 */
export type MemoryPolicy = "one memory" | "copy";

/** What the kernels' memory holds, from `memoryStats()`. */
export interface MemoryStats {
  /** How operands reach the kernels: "one memory" (shared; storage lives there) or "copy". */
  policy: MemoryPolicy;
  /** The memory's size in bytes: it grows to the largest need and never shrinks. */
  memoryBytes: number;
  /** Bytes of owned blocks alive now (parameters, gradients, optimizer state, step buffers, batches, data sets). */
  ownedBytes: number;
  /** How many owned blocks are alive. */
  ownedBlocks: number;
  /** Bytes inside the owned region that are free for the next blocks (freed blocks not yet reused). */
  freeBytes: number;
  /** Owned blocks freed so far (their views collected). */
  freedBlocks: number;
}

/** Owned blocks by start, with their sizes in floats. */
type Blocks = Map<number, number>;

/**
 * The process's kernel memory: the WebAssembly memory, the module instance on this thread, the owned blocks (a
 * first-fit free list over [RESERVED, top)), and scratch above them. @internal
 */
export class KernelMemory {
  /** Every buffer object this memory has had: a view made before a growth holds an older one. */
  private readonly buffers = new WeakSet<object>();
  private readonly owned: Blocks = new Map();
  /** Free ranges inside the owned region, as [start, floats], by start. */
  private free: [number, number][] = [];
  /** Where the owned region ends and scratch begins (floats). */
  private top = RESERVED;
  private freed = 0;
  /** Frees a block once the one view made over it is collected. */
  private readonly registry = new FinalizationRegistry<number>((start) => this.release(start));
  private heapView: Float32Array;

  constructor(
    /** The WebAssembly memory. */
    readonly memory: WasmMemory,
    /** The kernels' instance on this thread, over `memory`. */
    readonly exports: KernelExports,
    /** "one memory" when `memory` is shared, else "copy". */
    readonly policy: MemoryPolicy,
  ) {
    this.heapView = this.currentHeap();
  }

  /** The memory as floats, remade after a growth (and the new buffer remembered as this memory's). */
  heap(): Float32Array {
    if (this.heapView.buffer !== this.memory.buffer) this.heapView = this.currentHeap();
    return this.heapView;
  }

  private currentHeap(): Float32Array {
    const buffer = this.memory.buffer;
    this.buffers.add(buffer);
    return new Float32Array(buffer);
  }

  /** Whether `array` is a view of this memory (on any of the buffers it has had). */
  holds(array: ArrayBufferView): boolean {
    return this.buffers.has(array.buffer);
  }

  /**
   * Grows the memory to at least `floats`; false when it cannot (its maximum, the address space). A memory that is
   * not shared detaches every view when it grows: under "copy" nothing but scratch lives in it.
   */
  private ensure(floats: number): boolean {
    const have = this.heap().length;
    if (floats <= have) return true;
    if (floats > MAX_FLOATS) return false;
    try {
      this.memory.grow(Math.ceil((floats - have) / PAGE_FLOATS));
    } catch {
      return false;
    }
    this.heap();
    return true;
  }

  /**
   * The heap with room for `floats` of scratch past the owned region, where a kernel call lays out its operands
   * (from `scratchStart`); null when the memory cannot grow that far.
   */
  scratch(floats: number): Float32Array | null {
    return this.ensure(this.top + floats) ? this.heap() : null;
  }

  /** Where scratch starts: the end of the owned region. */
  get scratchStart(): number {
    return this.top;
  }

  /** A block of `floats` (> 0), 64-byte aligned, zero-filled; its start, or −1 when there is no room. */
  private take(floats: number): number {
    const size = Math.ceil(floats / ALIGN_FLOATS) * ALIGN_FLOATS;
    let start = -1;
    const fit = this.free.findIndex(([, free]) => free >= size);
    if (fit >= 0) {
      const [at, free] = this.free[fit]!;
      start = at;
      if (free === size) this.free.splice(fit, 1);
      else this.free[fit] = [at + size, free - size];
    } else {
      if (!this.ensure(this.top + size)) return -1;
      start = this.top;
      this.top += size;
    }
    this.owned.set(start, size);
    this.exports.zeroBytes(start * 4, size * 4); // freed blocks and scratch hold old values

    return start;
  }

  /** Returns a block to the free list, merging it with its free neighbours; the region's end shrinks back over it. */
  private release(start: number): void {
    const size = this.owned.get(start);
    if (size === undefined) return;
    this.owned.delete(start);
    this.freed++;
    let at = start,
      floats = size;
    // Free neighbours are always merged, so at most one range ends where the block starts and one starts at its end.
    const before = this.free.findIndex(([s, f]) => s + f === start);
    const after = this.free.findIndex(([s]) => s === start + size);
    if (before >= 0) {
      at = this.free[before]![0];
      floats += this.free[before]![1];
    }
    if (after >= 0) floats += this.free[after]![1];
    const free = this.free.filter((_, i) => i !== before && i !== after);
    if (at + floats === this.top) this.top = at;
    else {
      free.push([at, floats]);
      free.sort((p, q) => p[0] - q[0]);
    }
    this.free = free;
  }

  /**
   * A zero-filled float32 array of `size` that lives in this memory until it is collected (then its block is free
   * for the next); null under "copy" or when the memory is full. Keep the array itself while you use any view made
   * from it (a subarray, or a new array over its buffer): the block goes with it.
   */
  ownFloat32(size: number): Float32Array | null {
    return this.own(size, (buffer, at) => new Float32Array(buffer, at, size));
  }

  /** Like `ownFloat32`, for float64 (per-channel statistics the kernels read and write in place). */
  ownFloat64(size: number): Float64Array | null {
    return this.own(2 * size, (buffer, at) => new Float64Array(buffer, at, size));
  }

  /** Like `ownFloat32`, for int32 (row indices the kernels read in place). */
  ownInt32(size: number): Int32Array | null {
    return this.own(size, (buffer, at) => new Int32Array(buffer, at, size));
  }

  /** Like `ownFloat32`, for `size` bytes. */
  ownBytes(size: number): Uint8Array | null {
    return this.own(Math.ceil(size / 4), (buffer, at) => new Uint8Array(buffer, at, size));
  }

  /** A block of `floats` with the one view `view` makes over it (at its byte offset), freed when that view is collected. */
  private own<T extends ArrayBufferView>(floats: number, view: (buffer: ArrayBufferLike, at: number) => T): T | null {
    if (this.policy !== "one memory" || !(floats > 0)) return null;
    const start = this.take(floats);
    if (start < 0) return null;
    const array = view(this.heap().buffer, start * 4); // the current buffer, remembered as this memory's by heap()
    this.registry.register(array, start);
    return array;
  }

  /** Zero-fills `array`, which lives in this memory (memory.fill: a JavaScript fill of shared memory is slower). */
  zero(array: ArrayBufferView): void {
    this.exports.zeroBytes(array.byteOffset, array.byteLength);
  }

  /** What the memory holds now. */
  stats(): MemoryStats {
    let owned = 0;
    for (const size of this.owned.values()) owned += size;
    return {
      policy: this.policy,
      memoryBytes: this.memory.buffer.byteLength,
      ownedBytes: owned * 4,
      ownedBlocks: this.owned.size,
      freeBytes: this.free.reduce((total, [, f]) => total + f * 4, 0),
      freedBlocks: this.freed,
    };
  }
}

/** The compiled modules, compiled once; null where they cannot compile (no WebAssembly SIMD). */
let ownModule: object | null | undefined, sharedModule: object | null | undefined;
/** Why the last attempt to make the memory failed, for messages; null after a success. */
let lastFailure: string | null = null;
let made: KernelMemory | null = null;

/** The shared module, compiled once; null where it cannot be. @internal */
export function sharedKernelsModule(): object | null {
  if (webAssembly === undefined || sharedModule === null) return null;
  try {
    sharedModule ??= new webAssembly.Module(decodeBase64(KERNELS_SHARED_WASM_BASE64));
  } catch {
    sharedModule = null;
  }
  return sharedModule;
}

/** Whether asking for the kernel memory again may succeed: the platform has WebAssembly and its module compiled. */
export function memoryRetryable(): boolean {
  return webAssembly !== undefined && ownModule !== null;
}

/** Why the kernel memory could not be made the last time it was asked for; null when it could. */
export function memoryFailure(): string | null {
  return webAssembly === undefined ? "this platform has no WebAssembly" : lastFailure;
}

/**
 * The process's one kernel memory, made on first use: shared (policy "one memory") where a shared WebAssembly
 * memory can be made, else the module's own ("copy"); null where WebAssembly SIMD is missing or no instance could be
 * made (`memoryFailure()` says why; a later call tries again). @internal
 */
export function kernelMemory(): KernelMemory | null {
  if (made !== null) return made;
  if (webAssembly === undefined || ownModule === null) return null;
  try {
    ownModule ??= new webAssembly.Module(decodeBase64(KERNELS_WASM_BASE64));
  } catch (error) {
    ownModule = null;
    lastFailure = `the WebAssembly SIMD module does not compile here: ${String(error)}`;
    return null;
  }
  try {
    const shared = typeof SharedArrayBuffer === "function" ? sharedKernelsModule() : null;
    let memory: WasmMemory | null = null;
    if (shared !== null) {
      try {
        memory = new webAssembly.Memory({ initial: 1, maximum: SHARED_MAX_PAGES, shared: true });
      } catch {
        memory = null; // no shared memory here (a page that is not cross-origin isolated): the copy policy
      }
    }
    if (memory !== null && shared !== null) {
      const exports = new webAssembly.Instance(shared, { env: { memory } }).exports as KernelExports;
      made = new KernelMemory(memory, exports, "one memory");
    } else {
      const instance = new webAssembly.Instance(ownModule, {});
      const exports = instance.exports as KernelExports & { memory: WasmMemory };
      made = new KernelMemory(exports.memory, exports, "copy");
    }
    lastFailure = null;
    return made;
  } catch (error) {
    lastFailure = `a WebAssembly instance could not be made: ${String(error)}`;
    return null;
  }
}

/**
 * What the kernels' memory holds: its policy, its size, and the owned storage alive in it (bytes, blocks, free
 * room, blocks freed). Null where there are no WebAssembly kernels. Read it to see that a training loop's memory
 * stays flat: a steady reused step takes no new blocks.
 */
export function memoryStats(): MemoryStats | null {
  return kernelMemory()?.stats() ?? null;
}
