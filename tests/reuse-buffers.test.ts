// A training step wrapped in reuseBuffers computes the same bits as the plain step, call after call,
// and after its first call creates no typed arrays: the optimizer's state, gradients accumulated
// across calls and a DataLoader's batch are kept out of the reused scratch.
import { type Var, add, l2, linear, mul, param, relu, softmaxCrossEntropy } from "@slope/autograd";
import { Rng, type Tensor, randn, reuseBuffers, zeros } from "@slope/core";
import { DataLoader } from "@slope/data";
import { Adam, Momentum, type Optimizer, RMSProp, SGD } from "@slope/optim";
import { afterEach, describe, expect, it } from "vitest";

const rng = new Rng("reuse");
const X = randn([120, 40], { rng });
const y = Int32Array.from({ length: 120 }, () => rng.int(5));

/** Bits of a tensor, for exact comparison. */
const bits = (t: Tensor): number[] =>
  Array.from(new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.byteLength / 4));

type Model = { params: Var[]; loss: (xb: Tensor, yb: Int32Array) => Var };

function linearModel(): Model {
  const r = new Rng("linear");
  const W = param(randn([40, 5], { rng: r, std: 0.1 })),
    b = param(zeros([5]));
  return { params: [W, b], loss: (xb, yb) => add(softmaxCrossEntropy(linear(xb, W, b), yb), mul(l2(W), 1e-3)) };
}

function twoLayerModel(): Model {
  const r = new Rng("two-layer");
  const W1 = param(randn([40, 16], { rng: r, std: 0.2 })),
    b1 = param(zeros([16]));
  const W2 = param(randn([16, 5], { rng: r, std: 0.2 })),
    b2 = param(zeros([5]));
  return {
    params: [W1, b1, W2, b2],
    loss: (xb, yb) => softmaxCrossEntropy(linear(relu(linear(xb, W1, b1)), W2, b2), yb),
  };
}

/**
 * Trains `steps` mini-batches; `accumulate` batches add their gradients before each update (so
 * gradients are carried from one call of the step to the next). Returns the losses and parameters.
 */
function train(make: () => Model, optimizer: (params: Var[]) => Optimizer, reuse: boolean, accumulate = 1, steps = 24) {
  const model = make();
  const opt = optimizer(model.params);
  const loader = new DataLoader(X, y, { batchSize: 16, shuffle: true, rng: new Rng("loader") }); // the last batch is 8: shapes change
  let calls = 0;
  const step = (): number => {
    const { x, y: yb } = loader.next();
    const loss = model.loss(x, yb);
    loss.backward();
    if (++calls % accumulate === 0) {
      opt.step();
      opt.zeroGrad();
    }
    return loss.item();
  };
  const run = reuse ? reuseBuffers(step) : step;
  const losses = Array.from({ length: steps }, () => run());
  return { losses, params: model.params.map((p) => bits(p.value)) };
}

describe("a training step with reused buffers", () => {
  const optimizers: [string, (p: Var[]) => Optimizer][] = [
    ["SGD", (p) => new SGD(p, { lr: 0.1 })],
    ["Momentum", (p) => new Momentum(p, { lr: 0.05, momentum: 0.9 })],
    ["RMSProp", (p) => new RMSProp(p, { lr: 1e-2 })],
    ["Adam", (p) => new Adam(p, { lr: 1e-2 })],
  ];
  it.each(optimizers)("computes the same bits as without, with %s and a DataLoader", (_, optimizer) => {
    for (const model of [linearModel, twoLayerModel]) {
      const plain = train(model, optimizer, false);
      const reused = train(model, optimizer, true);
      expect(reused.losses).toEqual(plain.losses);
      expect(reused.params).toEqual(plain.params);
      expect(plain.losses.at(-1)!).toBeLessThan(plain.losses[0]!); // and it does train
    }
  });

  it("carries gradients accumulated over several calls without any call overwriting them", () => {
    const plain = train(twoLayerModel, (p) => new Momentum(p, { lr: 0.05 }), false, 3);
    const reused = train(twoLayerModel, (p) => new Momentum(p, { lr: 0.05 }), true, 3);
    expect(reused.params).toEqual(plain.params);
    expect(reused.losses).toEqual(plain.losses);
  });

  describe("allocation", () => {
    const counts = { arrays: 0 };
    const originals = { Float32Array, Float64Array };
    afterEach(() => Object.assign(globalThis, originals));

    it("creates no typed array after the first call", () => {
      const model = twoLayerModel();
      const opt = new Adam(model.params, { lr: 1e-3 });
      const loader = new DataLoader(
        X,
        y,
        { batchSize: 20, shuffle: true, rng: new Rng("count") } /* 6 equal batches */,
      );
      const step = reuseBuffers(() => {
        const { x, y: yb } = loader.next();
        opt.zeroGrad();
        const loss = model.loss(x, yb);
        loss.backward();
        opt.step();
        return loss.item();
      });
      for (let i = 0; i < 3; i++) step();
      for (const name of ["Float32Array", "Float64Array"] as const) {
        (globalThis as Record<string, unknown>)[name] = new Proxy(originals[name], {
          construct(target, args, newTarget) {
            counts.arrays++;
            return Reflect.construct(target, args, newTarget) as object;
          },
        });
      }
      counts.arrays = 0;
      for (let i = 0; i < 20; i++) step();
      expect(counts.arrays).toBe(0);
      expect(step.stats.misses).toBe(0);
      // The same step without reuse makes dozens per call (which is what the wrapper saves).
      const batch = loader.next();
      model.loss(batch.x, batch.y).backward();
      expect(counts.arrays).toBeGreaterThan(20);
    });
  });
});
