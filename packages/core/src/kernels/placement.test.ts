// tracePlacement reports each kernel call's place and the bytes it copied between the JavaScript heap and a
// WebAssembly memory: the exact operand bytes for a product in the default instance, nothing for one whose operands
// live in a reused step's memory, "threads" for a product split across workers, "javascript" under the JS kernels.
import { afterEach, describe, expect, it } from "vitest";
import { reuseBuffers } from "../buffers.js";
import { randn } from "../create.js";
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

  it("names a product in the default WebAssembly instance and counts exactly its operands and result", () => {
    const { ops, bytesCopied } = tracePlacement(() => matmul(a, b));
    expect(ops).toEqual([{ op: "matmul", place: "webassembly", bytesCopied: 4 * (m * k + k * n + m * n) }]);
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

  it("copies nothing for a product in a reused step whose operands live in the step's memory", () => {
    const step = reuseBuffers(() => {
      const x = add(a, 0); // made in the step: its buffer moves into the step's memory
      const w = add(b, 0);
      return matmul(x, w).data[0];
    });
    for (let i = 0; i < 3; i++) step();
    const { ops } = tracePlacement(() => step());
    const product = ops.find((r) => r.op === "matmul");
    expect(product).toEqual({ op: "matmul", place: "step memory", bytesCopied: 0 });
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
    expect(ops.find((r) => r.op === "maxPool2d")).toEqual({ op: "maxPool2d", place: "step memory", bytesCopied: 0 });
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
