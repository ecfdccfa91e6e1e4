// Every optimizer @slope/optim exports, and the stateful pieces around it — a shuffling DataLoader, batch norm's
// running statistics, dropout's masks, a Scheduler, gradient-norm clipping — give the same bits in four settings:
// the plain step on one thread, the step wrapped in reuseBuffers, and both again on two threads. The optimizers
// are found from the package's exports, so one added later is tested without touching this file.
import { Rng, type Tensor, randn, reuseBuffers } from "@slope/core";
import { disableThreads, enableThreads } from "@slope/core/node";
import { DataLoader } from "@slope/data";
import { BatchNorm1d, Dropout, Linear, ReLU, Sequential, crossEntropy } from "@slope/nn";
import * as optim from "@slope/optim";
import { afterAll, describe, expect, it } from "vitest";
import { bits, firstDifference } from "./support/bits.js";

type OptimizerClass = new (params: readonly optim.Parameter[], options?: Record<string, unknown>) => optim.Optimizer;

/** Every class the package exports that extends Optimizer, by name. */
const optimizerClasses = Object.entries(optim as Record<string, unknown>).filter(
  (entry): entry is [string, OptimizerClass] =>
    typeof entry[1] === "function" && entry[1].prototype instanceof optim.Optimizer,
);

/** Learning rates that move a small network visibly in 6 steps (each optimizer's own default otherwise). */
const OPTIONS: Record<string, Record<string, unknown>> = {
  SGD: { lr: 0.1 },
  AdaGrad: { lr: 1e-2 },
  RMSProp: { lr: 1e-3 },
  Momentum: { lr: 0.05 },
  Nesterov: { lr: 0.05 },
  Lion: { lr: 1e-3 },
  LBFGS: { lr: 0.5, maxIterations: 3 },
};

const features = 768;
const samples = 768;
const data = new Rng("optimizers-reuse-threads");
const X = randn([samples, features], { rng: data });
const Y = Int32Array.from({ length: samples }, () => data.int(5));

type Run = { losses: number[]; state: Record<string, Uint32Array>; optimizerState: string };

/** Six steps of a small network with batch norm and dropout, trained by `Optimizer` under a schedule and clipping. */
function train(name: string, Optimizer: OptimizerClass, reuse: boolean): Run {
  const rng = new Rng("model");
  const model = new Sequential(
    new Linear(features, 128, { rng }),
    new BatchNorm1d(128),
    new ReLU(),
    new Dropout(0.2, { rng }),
    new Linear(128, 5, { rng }),
  );
  const optimizer = new Optimizer(model.parameters(), OPTIONS[name] ?? {});
  const lr0 = optimizer.paramGroups[0]!.options.lr as number;
  const scheduler = new optim.Scheduler(optimizer, optim.cosineDecay({ lr0, steps: 6 }));
  const loader = new DataLoader(X, Y, { batchSize: 256, shuffle: true, rng: new Rng("loader") });
  const plain = (): number => {
    const { x, y } = loader.next();
    const evaluate = (): number => {
      optimizer.zeroGrad();
      const loss = crossEntropy(model.forward(x), y);
      loss.backward();
      optim.clipGradNorm(model.parameters(), 5);
      return loss.item();
    };
    let loss: number;
    if (optimizer instanceof optim.LBFGS) loss = optimizer.step(evaluate);
    else {
      loss = evaluate();
      optimizer.step();
    }
    scheduler.step();
    return loss;
  };
  const step = reuse ? reuseBuffers(plain) : plain;
  const losses = Array.from({ length: 6 }, () => step());
  const state = Object.fromEntries(
    Object.entries(model.stateDict()).map(([key, t]) => [key, Uint32Array.from(bits(t))]),
  );
  return { losses, state, optimizerState: JSON.stringify(optimizer.stateDict()) };
}

/** Says where two runs first differ, or null when every bit agrees. */
function difference(a: Run, b: Run): string | null {
  for (let i = 0; i < a.losses.length; i++)
    if (!Object.is(a.losses[i], b.losses[i])) return `loss ${i}: ${a.losses[i]} vs ${b.losses[i]}`;
  for (const key of Object.keys(a.state)) {
    const at = firstDifference(a.state[key]!, b.state[key]!);
    if (at >= 0) return `${key}, word ${at}`;
  }
  return a.optimizerState === b.optimizerState ? null : "the optimizer's state dict";
}

describe("every optimizer with the stateful pieces around it, under reuseBuffers and on two threads", () => {
  afterAll(() => disableThreads());

  it("finds the optimizers from the package's exports (at least the fifteen of this round)", () => {
    expect(optimizerClasses.length).toBeGreaterThanOrEqual(15);
  });

  it.each(optimizerClasses)("%s: the same bits plain and reused, on 1 thread and on 2", async (name, Optimizer) => {
    disableThreads();
    const plain = train(name, Optimizer, false);
    const reused = train(name, Optimizer, true);
    await enableThreads({ threads: 2 });
    const handedOut = countWakeUps(() => train(name, Optimizer, false));
    const threaded = handedOut.result;
    const threadedReused = train(name, Optimizer, true);
    disableThreads();
    expect(handedOut.wakeUps, "work was handed to the second thread").toBeGreaterThan(0);
    expect(difference(plain, reused), "reused, 1 thread").toBeNull();
    expect(difference(plain, threaded), "plain, 2 threads").toBeNull();
    expect(difference(plain, threadedReused), "reused, 2 threads").toBeNull();
    // and the optimizer did move the weights: runs that change nothing would agree trivially
    expect(firstDifference(plain.state["0.weight"]!, bits(startWeights()))).toBeGreaterThanOrEqual(0);
  });
});

/** Runs `f`, counting the Atomics.notify calls by which the main thread hands a part of a product to a worker. */
function countWakeUps<T>(f: () => T): { result: T; wakeUps: number } {
  const notify = Atomics.notify;
  let wakeUps = 0;
  Atomics.notify = ((typedArray: Int32Array, index: number, count?: number) => {
    wakeUps++;
    return notify(typedArray, index, count);
  }) as typeof Atomics.notify;
  try {
    return { result: f(), wakeUps };
  } finally {
    Atomics.notify = notify;
  }
}

/** The first layer's weights before any step (the model's initialisation is seeded, so this is every run's start). */
function startWeights(): Tensor {
  return new Linear(features, 128, { rng: new Rng("model") }).weight.value;
}
