export { enableThreads, disableThreads, kernelsName } from "./threads.js";
