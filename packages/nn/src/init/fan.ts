import { ValueError, formatShape } from "@slope/core";

/**
 * PyTorch's fans of a weight of shape [out, in, ...kernel]: with the receptive field r = ∏ kernel
 * (1 for a matrix), fanIn = in·r and fanOut = out·r. Fewer than 2 dimensions is a ValueError.
 */
export function calculateFanInAndFanOut(shape: readonly number[]): {
  /** in·r, the inputs each output sums over. */
  fanIn: number;
  /** out·r, the outputs each input feeds. */
  fanOut: number;
} {
  const [outputs, inputs, ...kernel] = shape;
  if (outputs === undefined || inputs === undefined) {
    throw new ValueError(
      `init: fan in and fan out need a tensor of at least 2 dimensions, got shape ${formatShape(shape)}`,
    );
  }
  const receptiveField = kernel.reduce((r, d) => r * d, 1);
  return { fanIn: inputs * receptiveField, fanOut: outputs * receptiveField };
}

/** The fan a kaiming initializer divides by: "fanIn" keeps the forward pass's variance, "fanOut" the backward's. */
export type FanMode = "fanIn" | "fanOut";

/** fanIn or fanOut of a weight of `shape`, by `mode`. */
export function calculateFan(shape: readonly number[], mode: FanMode): number {
  if (mode !== "fanIn" && mode !== "fanOut") {
    throw new ValueError(`init: mode must be "fanIn" or "fanOut", got ${String(mode)}`);
  }
  const fans = calculateFanInAndFanOut(shape);
  return mode === "fanIn" ? fans.fanIn : fans.fanOut;
}
