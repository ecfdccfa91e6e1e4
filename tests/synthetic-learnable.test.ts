// The synthetic CIFAR-shaped set has real class structure: mini-batch SGD on a linear softmax
// classifier learns it far above chance, while the lecture's random search does not.
import { add, l2, linear, mul, noGrad, param, softmaxCrossEntropy, svmLoss } from "@slope/autograd";
import { Rng, type Tensor, argmax, matmul, randn, slice } from "@slope/core";
import { DataLoader, meanImage, syntheticCifar, toFeatures } from "@slope/data";
import { RandomSearch, SGD } from "@slope/optim";
import { expect, it } from "vitest";

it("a linear classifier learns the synthetic set well above chance and random search does not", () => {
  const rng = new Rng("learnable");
  const data = syntheticCifar({ count: 1300, rng });
  const X = toFeatures(data.images, 1300, { mean: meanImage(data.images, 1000), scale: 255, bias: true });
  const xTrain = slice(X, [0, 0], [1000, -1]);
  const yTrain = data.labels.subarray(0, 1000);
  const xTest = slice(X, [1000, 0], [300, -1]);
  const yTest = data.labels.subarray(1000);
  const accuracy = (W: Tensor) => {
    const predicted = argmax(matmul(xTest, W), 1).data;
    return Array.from(predicted).reduce((n, p, i) => n + (p === yTest[i] ? 1 : 0), 0) / yTest.length;
  };

  const W = param(randn([3073, 10], { rng, std: 1e-3 }));
  const sgd = new SGD([W], { lr: 0.2 });
  const loader = new DataLoader(xTrain, yTrain, { batchSize: 100, shuffle: true, rng });
  for (let epoch = 0; epoch < 10; epoch++) {
    for (const batch of loader) {
      sgd.zeroGrad();
      add(softmaxCrossEntropy(linear(batch.x, W), batch.y), mul(l2(W), 1e-4)).backward();
      sgd.step();
    }
  }
  const learned = accuracy(W.value);

  const search = new RandomSearch({ shape: [3073, 10], rng, scale: 1e-4 });
  const { best } = search.run((w) => noGrad(() => svmLoss(linear(xTrain, w), yTrain).item()), { iterations: 50 });
  const random = accuracy(best);

  expect(learned).toBeGreaterThan(0.5); // chance is 10%
  expect(random).toBeLessThan(0.25);
  expect(learned).toBeGreaterThan(2.5 * random);
  console.log(
    `synthetic set: SGD test accuracy ${(100 * learned).toFixed(1)}%, random search ${(100 * random).toFixed(1)}% (chance 10%)`,
  );
});
