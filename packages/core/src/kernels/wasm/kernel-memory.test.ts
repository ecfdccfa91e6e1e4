// The kernel memory's owned blocks: where they go, when they are freed, and the one rule a user must know — keep an
// array while you use a view made from it (the trap: a plain subarray does not keep the block alive).
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { ownedArray, ownedView } from "../../buffers.js";
import { KernelMemory, RESERVED, kernelMemory, sharedKernelsModule } from "./kernel-memory.js";
import type { KernelExports } from "./wasm-kernels.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Collects garbage and lets the finalization callbacks run (they are tasks of their own). */
async function collect(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/** A kernel memory of its own (not the process's), so that its blocks are only this test's. */
function freshMemory(): KernelMemory {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 32_768, shared: true });
  const exports = new WebAssembly.Instance(sharedKernelsModule() as WebAssembly.Module, { env: { memory } })
    .exports as unknown as KernelExports;
  return new KernelMemory(memory, exports, "one memory");
}

describe("the kernel memory", () => {
  it("is one shared memory in Node, and owned storage lives in it", () => {
    const memory = kernelMemory()!;
    expect(memory.policy).toBe("one memory");
    expect(memory.memory.buffer instanceof SharedArrayBuffer).toBe(true);
    const owned = ownedArray("float32", 1000);
    expect(memory.holds(owned)).toBe(true);
    expect(memory.holds(new Float32Array(1000))).toBe(false);
    expect(memory.holds(ownedArray("float64", 10))).toBe(true); // per-channel statistics, read in place
  });

  it("hands out 64-byte-aligned, zero-filled blocks past the reserved area, and reuses a freed block", async () => {
    const memory = freshMemory();
    let a: Float32Array | null = memory.ownFloat32(100)!;
    const b = memory.ownFloat32(3)!;
    expect(a.byteOffset).toBe(RESERVED * 4);
    expect(b.byteOffset % 64).toBe(0);
    expect(b.byteOffset).toBe(RESERVED * 4 + 112 * 4); // 100 floats round up to 112
    a.fill(5);
    const firstAt = a.byteOffset;
    a = null;
    await collect();
    expect(memory.stats().freedBlocks).toBe(1);
    const c = memory.ownFloat32(50)!; // fits in the freed block: first fit
    expect(c.byteOffset).toBe(firstAt);
    expect(c.every((v) => v === 0)).toBe(true); // zero-filled, not the 5s it held
    expect(b.length).toBe(3);
  });

  it("merges freed neighbours and gives the end of the owned region back to scratch", async () => {
    const memory = freshMemory();
    const keep = memory.ownFloat32(16)!;
    let blocks: (Float32Array | null)[] = [memory.ownFloat32(16), memory.ownFloat32(32), memory.ownFloat32(16)];
    expect(memory.scratchStart).toBe(RESERVED + 80);
    blocks = [];
    await collect();
    expect(blocks.length).toBe(0);
    expect(memory.scratchStart).toBe(RESERVED + 16); // all three merged into the region's end
    expect(memory.stats()).toMatchObject({ ownedBlocks: 1, ownedBytes: 64, freeBytes: 0, freedBlocks: 3 });
    expect(keep.length).toBe(16);
  });

  it("grows without detaching what lives in it: a view made before a growth reads the same bytes", () => {
    const memory = freshMemory();
    const early = memory.ownFloat32(1024)!;
    early.fill(1.5);
    const big = memory.ownFloat32(4_000_000)!; // grows the memory well past its first buffer
    expect(big.buffer === early.buffer).toBe(false);
    expect(memory.holds(early) && memory.holds(big)).toBe(true);
    expect(early.length).toBe(1024);
    expect(early[1023]).toBe(1.5);
    memory.heap()[early.byteOffset / 4] = 2.5; // written through the newest buffer
    expect(early[0]).toBe(2.5);
  });

  it("keeps an owned array's block while the array lives, through collections and new allocations", async () => {
    const memory = freshMemory();
    const kept = memory.ownFloat32(4096)!;
    kept.fill(7);
    for (let i = 0; i < 5; i++) memory.ownFloat32(4096); // made and dropped at once
    await collect();
    const others = Array.from({ length: 5 }, () => memory.ownFloat32(4096)!.fill(3));
    expect(kept.every((v) => v === 7)).toBe(true);
    expect(others.every((o) => o.byteOffset !== kept.byteOffset)).toBe(true);
  });

  it("the trap: a plain subarray does not keep the block, which goes to the next array once its owner is collected", async () => {
    const memory = freshMemory();
    let owner: Float32Array | null = memory.ownFloat32(4096)!.fill(7);
    const view = owner.subarray(0, 16); // breaks the rule: the view is kept, its array is not
    owner = null;
    await collect();
    const next = memory.ownFloat32(4096)!.fill(3);
    expect(next.byteOffset).toBe(view.byteOffset);
    expect(view[0]).toBe(3); // the view now reads another array's values
  });

  it("ownedView, how the library hands out part of owned storage, keeps its owner and so the block", async () => {
    let owner: Float32Array | null = ownedArray("float32", 4096) as Float32Array;
    owner.fill(7);
    const view = ownedView(owner, 0, 16);
    owner = null;
    await collect();
    const next = ownedArray("float32", 4096).fill(3);
    expect(next.byteOffset === view.byteOffset).toBe(false);
    expect(view.every((v) => v === 7)).toBe(true);
  });

  it("says when it is full: no block, and the caller's storage goes to the heap", () => {
    const memory = freshMemory();
    expect(memory.ownFloat32(2 ** 31)).toBeNull(); // past the 2 GiB the memory may reach
    expect(memory.stats().ownedBlocks).toBe(0);
  });
});
