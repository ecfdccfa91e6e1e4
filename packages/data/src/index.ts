/**
 * Data for Slope: the CIFAR-10/100 formats (binary and pickle), preprocessing (features, mean
 * image, the course's splits), samplers, a mini-batch `DataLoader`, augmentation and seeded synthetic
 * data sets. Runs in a browser; the file-system and network parts are under @slope/data/node.
 *
 * @module @slope/data
 */
export {
  type LabeledImages,
  type LabeledImages100,
  IMAGE_BYTES,
  CIFAR10_RECORD_BYTES,
  CIFAR100_RECORD_BYTES,
  parseCifar10,
  parseCifar100,
  writeCifar10,
  writeCifar100,
} from "./cifar/format.js";
export {
  CIFAR10_LABEL_NAMES,
  CIFAR100_FINE_LABEL_NAMES,
  CIFAR100_COARSE_LABEL_NAMES,
  parseLabelNames,
} from "./cifar/label-names.js";
export { unpickle, readCifarPickle, writeCifarPickle } from "./cifar/pickle.js";
export type { ReadCifarPickleOptions } from "./cifar/pickle.js";
export {
  type ImageLayout,
  type FeatureOptions,
  ImageFeatures,
  toFeatures,
  meanImage,
  channelStatistics,
  normalizeChannels,
  appendBias,
} from "./preprocess/features.js";
export { type SplitSizes, sliceImages, pickImages, concatImages, courseSplits } from "./preprocess/splits.js";
export type { Sampler, SamplerState } from "./samplers/sampler.js";
export { SequentialSampler } from "./samplers/sequential-sampler.js";
export { RandomSampler } from "./samplers/random-sampler.js";
export { ReplacementSampler } from "./samplers/replacement-sampler.js";
export { BatchSampler } from "./samplers/batch-sampler.js";
export { type Batch, type DataLoaderOptions, type DataLoaderState, DataLoader } from "./data-loader.js";
export type { BatchTransform, ImageShape } from "./augment/transform.js";
export { type RandomCropOptions, type PaddingMode, RandomCrop, randomCrop } from "./augment/random-crop.js";
export {
  type RandomHorizontalFlipOptions,
  RandomHorizontalFlip,
  randomHorizontalFlip,
} from "./augment/random-horizontal-flip.js";
export { Compose, compose } from "./augment/compose.js";
export { type SyntheticCifarOptions, syntheticCifar } from "./synthetic/synthetic-cifar.js";
export { type Points2D, gaussianBlobs, spirals } from "./synthetic/toy-2d.js";
