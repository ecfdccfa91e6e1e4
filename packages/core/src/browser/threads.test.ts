import { describe, expect, it } from "vitest";
import { kernels } from "../kernels/registry.js";
import { enableThreads } from "./threads.js";

// The Web Worker path itself runs in Chromium (examples/web/tests/e2e.test.ts, the CIFAR page).
describe("enableThreads in a browser", () => {
  it("refuses, saying why, where the page is not cross-origin isolated, and leaves the kernels alone", async () => {
    const before = kernels();
    await expect(enableThreads({ threads: 2 })).rejects.toThrow(/cross-origin isolated page .*Cross-Origin-Opener-Policy: same-origin.*crossOriginIsolated is undefined/);
    expect(kernels()).toBe(before);
  });
});
