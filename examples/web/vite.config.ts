import { resolve } from "node:path";
import { defineConfig } from "vite";

const page = (name: string) => resolve(import.meta.dirname, name);

// Served cross-origin isolated, so that the CIFAR page may share memory with a Web Worker (two threads).
const isolated = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

// Four pages, relative asset paths (the built site works from any folder, and offline).
export default defineConfig({
  root: import.meta.dirname,
  base: "./",
  server: { headers: isolated },
  preview: { headers: isolated },
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
