// tracePlacement reports each kernel call's place and the bytes it copied between the JavaScript heap and a
// WebAssembly memory: the exact operand bytes for a product of arrays on the JavaScript heap, nothing for one whose
// operands live in the kernel memory (a reused step's buffers, parameters), "threads" for a product split across
// workers, "javascript" under the JS kernels.
import { afterEach, describe, expect, it } from "vitest";
import { ownedArray, reuseBuffers } from "../buffers.js";
import { fromData, randn } from "../create.js";
import { ValueError } from "../errors.js";
import { disableThreads, enableThreads } from "../node/threads.js";
import { add } from "../ops/elementwise.js";
import { matmul } from "../ops/matmul.js";
import { maxPool2dWithIndices } from "../ops/pooling.js";
import { Rng } from "../rng.js";
import { jsKernels } from "./js.js";
import { tracePlacement } from "./placement.js";
import { kernels, setKernels } from "./registry.js";

describe("tracePlacement", () => {
  afterEach(() => disableThreads());
  const rng = new Rng("placement");
  const [m, k, n] = [64, 96, 80];
  const a = randn([m, k], { rng }),
    b = randn([k, n], { rng });

  it("names a product of arrays on the JavaScript heap and counts exactly its operands and result", () => {
    const { ops, bytesCopied } = tracePlacement(() => matmul(a, b));
    expect(ops).toEqual([{ op: "matmul", place: "kernel memory", bytesCopied: 4 * (m * k + k * n + m * n) }]);
    expect(bytesCopied).toBe(4 * (m * k + k * n + m * n));
  });

  it("records every op in order, JavaScript ones with no copy, and gives f's result back", () => {
    const { result, ops } = tracePlacement(() => add(matmul(a, b), 1));
    expect(result.shape).toEqual([m, n]);
    expect(ops.map((r) => r.op)).toEqual(["matmul", "binary:add"]);
  });

  it("under the JavaScript kernels: every call in javascript, nothing copied", () => {
    const previous = setKernels(jsKernels);
    try {
      const { ops, bytesCopied } = tracePlacement(() => add(matmul(a, b), 1));
      expect(ops.map((r) => r.place)).toEqual(["javascript", "javascript"]);
      expect(bytesCopied).toBe(0);
    } finally {
      setKernels(previous);
    }
  });

  it("copies nothing for a product in a reused step whose operands live in the kernel memory", () => {
    const step = reuseBuffers(() => {
      const x = add(a, 0); // made in the step: its buffer lives in the kernel memory
      const w = add(b, 0);
      return matmul(x, w).data[0];
    });
    const { ops } = tracePlacement(() => step()); // from the first call: the buffers are made there
    const product = ops.find((r) => r.op === "matmul");
    expect(product).toEqual({ op: "matmul", place: "kernel memory", bytesCopied: 0 });
  });

  it("copies nothing for a product of arrays that own kernel memory, outside any step", () => {
    const x = fromData(ownedArray("float32", m * k) as Float32Array, [m, k]),
      w = fromData(ownedArray("float32", k * n) as Float32Array, [k, n]);
    x.data.set(a.data);
    w.data.set(b.data);
    const { ops, result } = tracePlacement(() => matmul(x, w));
    // The result is the heap's (a short-lived tensor): only it is copied out.
    expect(ops).toEqual([{ op: "matmul", place: "kernel memory", bytesCopied: 4 * m * n }]);
    expect(Buffer.from(result.data.buffer).equals(Buffer.from(matmul(a, b).data.buffer))).toBe(true);
  });

  it("copies nothing for max pooling in a reused step: its indices are written where they live", () => {
    const images = randn([8, 16, 32, 32], { rng });
    const plainIndices = maxPool2dWithIndices(images, { kernelSize: 2, stride: 2 }).indices;
    let last: Int32Array = new Int32Array(0);
    const step = reuseBuffers(() => {
      last = maxPool2dWithIndices(add(images, 0), { kernelSize: 2, stride: 2 }).indices;
      return last[0];
    });
    for (let i = 0; i < 3; i++) step();
    const { ops } = tracePlacement(() => step());
    expect(ops.find((r) => r.op === "maxPool2d")).toEqual({ op: "maxPool2d", place: "kernel memory", bytesCopied: 0 });
    let firstDifference = -1;
    for (let i = 0; i < plainIndices.length && firstDifference < 0; i++)
      if (last[i] !== plainIndices[i]) firstDifference = i;
    expect(last.length).toBe(plainIndices.length);
    expect(firstDifference, "the indices equal the plain call's").toBe(-1);
  });

  it("names a product split across two threads", async () => {
    await enableThreads({ threads: 2 });
    const big = randn([512, 256], { rng }),
      other = randn([256, 256], { rng });
    const { ops } = tracePlacement(() => matmul(big, other));
    expect(ops[0]?.place).toBe("threads");
  });

  it("does not nest, and is off again after f throws (no record, the kernels themselves handed out)", () => {
    expect(() => tracePlacement(() => tracePlacement(() => 0))).toThrow(ValueError);
    expect(() =>
      tracePlacement(() => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    const active = kernels();
    expect(kernels() === active).toBe(true);
    expect(tracePlacement(() => 1).ops).toEqual([]);
  });

  it("hands out the backend itself when no trace runs, so setKernels inside a trace restores the real one", () => {
    const before = kernels();
    tracePlacement(() => {
      const previous = setKernels(jsKernels);
      expect(previous === before).toBe(true);
      setKernels(previous);
    });
    expect(kernels() === before).toBe(true);
  });
});
