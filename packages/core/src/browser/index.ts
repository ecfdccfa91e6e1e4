export { enableThreads, disableThreads } from "./threads.js";
