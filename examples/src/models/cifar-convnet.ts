import type { DType, Rng } from "@slope/core";
import { BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from "@slope/nn";

/** The convnet's widths: the channels of its three stages. */
export interface CifarConvnetOptions {
  widths?: readonly [number, number, number];
  rng?: Rng;
  dtype?: DType;
}

/** conv 3×3 (padding 1, no bias: the batch norm after it has one) → BatchNorm2d → ReLU. */
function convBlock(inChannels: number, outChannels: number, options: CifarConvnetOptions): Sequential {
  return new Sequential(
    new Conv2d(inChannels, outChannels, 3, { padding: 1, bias: false, rng: options.rng, dtype: options.dtype }),
    new BatchNorm2d(outChannels, { dtype: options.dtype }),
    new ReLU(),
  );
}

/**
 * The `cnn` experiment's network for 3×32×32 images, built only from @slope/nn: three stages of
 * conv-bn-relu blocks, each halving the image with a 2×2 max pool, then a linear layer on the
 * flattened 4×4 maps:
 *   [3, 32, 32] → block(w₀) → pool → [w₀, 16, 16] → block(w₁) → pool → [w₁, 8, 8]
 *   → block(w₂) → pool → [w₂, 4, 4] → flatten → linear(16·w₂ → 10)
 * With the default widths (32, 64, 128) it has about 0.11 M parameters and takes about 10 M
 * multiply-adds per image forward.
 */
export function cifarConvnet(options: CifarConvnetOptions = {}): Sequential {
  const [w0, w1, w2] = options.widths ?? [32, 64, 128];
  return new Sequential(
    convBlock(3, w0, options),
    new MaxPool2d(2),
    convBlock(w0, w1, options),
    new MaxPool2d(2),
    convBlock(w1, w2, options),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(16 * w2, 10, { rng: options.rng, dtype: options.dtype }),
  );
}
