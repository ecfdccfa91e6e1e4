import { resolve } from "node:path";
import { defineConfig } from "vite";

const page = (name: string) => resolve(import.meta.dirname, name);

// Four pages, relative asset paths (the built site works from any folder, and offline).
export default defineConfig({
  root: import.meta.dirname,
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    rollupOptions: {
      input: {
        index: page("index.html"),
        "linear-classifier": page("linear-classifier.html"),
        optimizers: page("optimizers.html"),
        cifar: page("cifar.html"),
      },
    },
  },
});
