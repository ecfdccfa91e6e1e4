import { ValueError } from "@slope/core";

/** The nonlinearities `calculateGain` knows, by PyTorch's names. */
export type Nonlinearity =
  | "linear"
  | "conv1d"
  | "conv2d"
  | "conv3d"
  | "conv_transpose1d"
  | "conv_transpose2d"
  | "conv_transpose3d"
  | "sigmoid"
  | "tanh"
  | "relu"
  | "leaky_relu"
  | "selu";

/**
 * The gain that keeps activations' variance through `nonlinearity`, PyTorch's table:
 * linear, conv*, sigmoid → 1; tanh → 5/3; relu → √2; leaky_relu → √(2 / (1 + slope²)) with
 * slope = `param` (default 0.01); selu → 3/4.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear":
    case "conv1d":
    case "conv2d":
    case "conv3d":
    case "conv_transpose1d":
    case "conv_transpose2d":
    case "conv_transpose3d":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leaky_relu": {
      const slope = param ?? 0.01;
      if (typeof slope !== "number" || !Number.isFinite(slope)) {
        throw new ValueError(`calculateGain: negative slope ${String(param)} is not a finite number`);
      }
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case "selu":
      return 3 / 4;
    default:
      throw new ValueError(`calculateGain: unsupported nonlinearity ${String(nonlinearity)}`);
  }
}
