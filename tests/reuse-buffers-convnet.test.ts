// A convnet's training step (conv, batch norm with running statistics, ReLU, max pooling, linear,
// cross-entropy, momentum) wrapped in reuseBuffers gives the plain step's bits, call after call, on
// one thread and on two: its buffers then live in the kernels' memory and the kernels use them in place.
import { Rng, type Tensor, randn, reuseBuffers } from "@slope/core";
import { disableThreads, enableThreads } from "@slope/core/node";
import { BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential, crossEntropy } from "@slope/nn";
import { Momentum } from "@slope/optim";
import { describe, expect, it } from "vitest";
import { bits, firstDifference } from "./support/bits.js";

function convnet(): Sequential {
  const rng = new Rng("convnet");
  return new Sequential(
    new Conv2d(3, 8, 3, { padding: 1, bias: false, rng }),
    new BatchNorm2d(8),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(8, 16, 3, { padding: 1, rng }),
    new BatchNorm2d(16),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(16 * 4 * 4, 10, { rng }),
  );
}

/** Trains 4 steps on one fixed batch (so the loss falls); returns the losses and the state dict (parameters and running statistics). */
function train(reuse: boolean): { losses: number[]; state: Record<string, Tensor> } {
  const data = new Rng("batches");
  const batch = { x: randn([32, 3, 16, 16], { rng: data }), y: Int32Array.from({ length: 32 }, () => data.int(10)) };
  const batches = [batch, batch, batch, batch];
  const model = convnet();
  const optimizer = new Momentum(model.parameters(), { lr: 0.05, momentum: 0.9 });
  const plain = (x: Tensor, y: Int32Array): number => {
    optimizer.zeroGrad();
    const loss = crossEntropy(model.forward(x), y);
    loss.backward();
    optimizer.step();
    return loss.item();
  };
  const step = reuse ? reuseBuffers(plain) : plain;
  const losses = batches.map(({ x, y }) => step(x, y));
  return { losses, state: model.stateDict() };
}

describe("a convnet step in reuseBuffers", () => {
  for (const threads of [1, 2]) {
    it(`gives the plain step's bits: losses, weights and running statistics (${threads} thread${threads > 1 ? "s" : ""})`, async () => {
      if (threads > 1) await enableThreads({ threads });
      try {
        const plain = train(false),
          reused = train(true);
        expect(reused.losses).toEqual(plain.losses);
        expect(plain.losses[3]!).toBeLessThan(plain.losses[0]!);
        for (const [key, value] of Object.entries(plain.state)) {
          expect(firstDifference(bits(reused.state[key]!), bits(value)), key).toBe(-1);
        }
      } finally {
        if (threads > 1) disableThreads();
      }
    });
  }
  it("gives the same bits on one thread and on two", async () => {
    const one = train(true);
    await enableThreads({ threads: 2 });
    try {
      const two = train(true);
      expect(two.losses).toEqual(one.losses);
      for (const [key, value] of Object.entries(one.state))
        expect(firstDifference(bits(two.state[key]!), bits(value)), key).toBe(-1);
    } finally {
      disableThreads();
    }
  });
});
