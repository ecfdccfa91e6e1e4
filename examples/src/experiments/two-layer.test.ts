// The two-layer net's loss, data + reg·(ΣW1² + ΣW2²), as the experiment trains on and prints it.
import { describe, expect, it } from "vitest";
import { Rng, zeros } from "@slope/core";
import { TwoLayerNet } from "./two-layer.js";

describe("TwoLayerNet.loss", () => {
  it("with reg 0 the loss stays the finite data loss while ΣW1² overflows (no 0·∞ = NaN)", () => {
    const net = new TwoLayerNet(4, 3, 10, new Rng(0));
    net.fc1.weight.value.data.fill(1e20); // finite, but its squares overflow float32
    const x = zeros([2, 4]); // zero pixels: the hidden layer is relu(b1) = 0, the scores are b2
    const loss = net.loss(x, [1, 7], 0).item();
    expect(Number.isFinite(loss)).toBe(true);
    expect(loss).toBeCloseTo(Math.log(10), 5); // b2 = 0: uniform scores
    expect(net.loss(x, [1, 7], 1e-3).item()).toBe(Infinity); // a positive reg adds the (infinite) penalty
  });
});
