// The WebAssembly kernels a convnet's step runs besides its products (batch normalisation, 2×2 max
// pooling) give exactly the JavaScript kernels' bits, which the float64 tests check against the maths.
import { describe, expect, it } from "vitest";
import { Rng, jsKernels, randn, setKernels } from "../index.js";
import { kernels } from "../internal/index.js";
import { batchNormBackward, batchNormForward } from "../ops/normalization.js";

/** The first index where two arrays differ in bits (NaN equal to NaN), or −1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** Runs `f` on the JavaScript kernels, restoring the active ones after. */
function onJavaScript<T>(f: () => T): T {
  const previous = setKernels(jsKernels);
  try {
    return f();
  } finally {
    setKernels(previous);
  }
}

describe("batch normalisation on WebAssembly", () => {
  const rng = new Rng("cnn-kernels");
  const shapes = [
    [8, 5, 13, 7],
    [16, 3, 1, 9],
    [4, 6, 33],
    [64, 70],
  ];
  for (const shape of shapes) {
    for (const training of [true, false]) {
      it(`gives the JavaScript kernels' bits, forward and backward: ${JSON.stringify(shape)}, training ${training}`, () => {
        expect(kernels().name.startsWith("wasm")).toBe(true);
        const x = randn(shape, { rng, mean: 3, std: 2 });
        const channels = shape[1]!;
        const weight = randn([channels], { rng }),
          bias = randn([channels], { rng });
        const runningMean = () => randn([channels], { rng: new Rng(1) }),
          runningVar = () => randn([channels], { rng: new Rng(2), mean: 2, std: 0.1 });
        const g = randn(shape, { rng });
        const run = () => {
          const forward = batchNormForward(x, runningMean(), runningVar(), weight, bias, { training });
          const backward = batchNormBackward(g, forward.normalized!, forward.invStd, weight, {
            training,
            needs: [true, true, true],
          });
          return [forward.output, forward.normalized!, backward.dx!, backward.dWeight!, backward.dBias!];
        };
        const wasm = run(),
          js = onJavaScript(run);
        for (let k = 0; k < wasm.length; k++)
          expect(firstDifference(wasm[k]!.data, js[k]!.data), `output ${k}`).toBe(-1);
      });
    }
  }
});
