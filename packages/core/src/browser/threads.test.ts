import { describe, expect, it } from "vitest";
import { ValueError } from "../errors.js";
import { kernels } from "../kernels/registry.js";
import { enableThreads } from "./threads.js";

// The Web Worker path itself runs in Chromium (examples/web/tests/e2e.test.ts, the CIFAR page).
describe("enableThreads in a browser", () => {
  it("refuses, saying why, where the page is not cross-origin isolated, and leaves the kernels alone", async () => {
    const before = kernels();
    await expect(enableThreads({ threads: 2 })).rejects.toThrow(
      /cross-origin isolated page .*Cross-Origin-Opener-Policy: same-origin.*crossOriginIsolated is undefined/,
    );
    expect(kernels()).toBe(before);
  });

  it("null options or an unknown option name is a ValueError (not a raw TypeError), checked before anything else", async () => {
    await expect(enableThreads(null as never)).rejects.toThrow(ValueError);
    await expect(enableThreads({ workers: 2 } as never)).rejects.toThrow(/unknown option "workers"/);
  });
});
