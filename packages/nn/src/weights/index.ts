export {
  type SafetensorsDType,
  type SaveSafetensorsOptions,
  INT64_BUFFER_NAMES,
  loadSafetensors,
  safetensorsMetadata,
  saveSafetensors,
} from "./safetensors.js";
