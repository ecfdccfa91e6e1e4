export { type CommonOptions, type ExperimentContext, checkCommonOptions, createContext } from "./context.js";
export {
  type LectureData,
  type Features,
  type DataKind,
  loadLectureData,
  linearFeatures,
  findCifarDir,
} from "./data-source.js";
export { type RandomSearchOptions, randomSearchExperiment } from "./experiments/random-search.js";
export { type GradientsOptions, gradientsExperiment } from "./experiments/gradients.js";
export { type TrainOptions, TRAIN_DEFAULTS, trainExperiment, trainSettings } from "./experiments/train.js";
export { type BatchModesOptions, batchModesExperiment } from "./experiments/batch-modes.js";
export { type LrDecayOptions, lrDecayExperiment } from "./experiments/lr-decay.js";
export { type OptimizersOptions, optimizersExperiment } from "./experiments/optimizers.js";
export { type TwoLayerOptions, twoLayerExperiment } from "./experiments/two-layer.js";
export {
  type CnnOptions,
  type CnnEpochRecord,
  CNN_DEFAULTS,
  CNN_EPOCHS,
  CNN_OPTIMIZERS,
  cnnExperiment,
  cnnSettings,
  parseWidths,
} from "./experiments/cnn.js";
export { type TemplatesOptions, templatesExperiment } from "./experiments/templates.js";
export { tourExperiment } from "./experiments/tour.js";
export { type DownloadOptions, downloadExperiment, downloadSettings } from "./experiments/download.js";
export {
  type LinearCheckpoint,
  type LinearConfig,
  type LinearRun,
  featuresDataSet,
  linearLoss,
  readLinearCheckpoint,
  trainLinear,
} from "./training/linear.js";
export {
  CheckpointFormatError,
  CheckpointMismatchError,
  type CheckpointIdentity,
  type DataSetRecord,
} from "./training/checkpoint.js";
export { writeFileAtomic, writeJsonAtomic, removeStaleTemporaries } from "./output/files.js";
export { gradientAndHessian, newtonTrajectory } from "./training/newton.js";
