// The CIFAR page's trainers, in Node: the step count per epoch, the loss falling for both models, and the
// pictures the page draws (templates as the rows of W, the convnet's first-layer filters).
import { describe, expect, it } from "vitest";
import { Rng } from "@slope/core";
import { sliceImages, syntheticCifar } from "@slope/data";
import { makeTrainer } from "./trainer.js";

const all = syntheticCifar({ count: 600, rng: new Rng("trainer-test") });
const train = sliceImages(all, 0, 500),
  test = sliceImages(all, 500, 600);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("the CIFAR page's trainers", () => {
  it("the linear classifier takes ceil(N/128) steps an epoch, lowers the loss, gives 10 templates of 3072", () => {
    const trainer = makeTrainer(train, test, { model: "linear", lr: 1e-6, reg: 1000, rng: new Rng("a") });
    expect(trainer.stepsPerEpoch).toBe(4); // 500 images in batches of 128: 128, 128, 128, 116
    expect(trainer.validated).toBe(100);
    const losses = Array.from({ length: 5 * trainer.stepsPerEpoch }, () => trainer.step());
    expect(mean(losses.slice(-4))).toBeLessThan(mean(losses.slice(0, 4)));
    const templates = trainer.templates()!;
    expect(templates.length).toBe(10 * 3072);
    expect(trainer.filters()).toBeNull();
    const accuracy = trainer.accuracy();
    expect(accuracy).toBeGreaterThanOrEqual(0);
    expect(accuracy).toBeLessThanOrEqual(1);
    expect(trainer.predict(12).length).toBe(12);
  });

  it("the convnet takes ceil(N/64) steps an epoch, lowers the loss, gives its 8 first-layer 3×5×5 filters", () => {
    const trainer = makeTrainer(train, test, { model: "convnet", lr: 0.002, reg: 0, rng: new Rng("b") });
    expect(trainer.stepsPerEpoch).toBe(8);
    const before = trainer.filters()!;
    const losses = Array.from({ length: 2 * trainer.stepsPerEpoch }, () => trainer.step());
    expect(mean(losses.slice(-4))).toBeLessThan(mean(losses.slice(0, 4)));
    const after = trainer.filters()!;
    expect(after.length).toBe(8 * 3 * 5 * 5);
    let changed = 0;
    for (let i = 0; i < after.length; i++) if (after[i] !== before[i]) changed++;
    expect(changed).toBeGreaterThan(after.length / 2);
    expect(trainer.templates()).toBeNull();
  });
});
