// The web demos in a real browser: Debian's Chromium driven by playwright-core. For each page, serve
// the built site on 127.0.0.1, click run, and check that the loss shown goes down and that the page
// logged no error; a screenshot of each is kept in .artifacts/web/. Plus a check that the bundle
// imports no Node built-in. The site, the browser and the page opener are support/site.ts's.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Site, artifacts, built, haveBrowser, openPage, site, startSite } from "./support/site.js";

describe.skipIf(!built)("the browser bundle", () => {
  it("contains no import of a Node built-in", () => {
    const builtins = [
      "fs",
      "path",
      "os",
      "crypto",
      "http",
      "https",
      "zlib",
      "child_process",
      "url",
      "stream",
      "util",
      "net",
      "worker_threads",
      "module",
    ];
    const pattern = new RegExp(
      `(from\\s*|import\\s*\\(\\s*|require\\s*\\(\\s*)["'](node:[a-z_/]+|${builtins.join("|")})["']`,
    );
    const files = readdirSync(join(site, "assets")).filter((f) => f.endsWith(".js"));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const code = readFileSync(join(site, "assets", file), "utf8");
      expect(code.match(pattern)?.[0] ?? null, file).toBeNull();
      const stubbed = code.includes("__vite-browser-external");
      expect(stubbed, `${file} has a module Vite stubbed out for the browser`).toBe(false);
    }
  });
});

describe.skipIf(!built || !haveBrowser)("the web demos in Chromium", () => {
  let served: Site;
  beforeAll(async () => {
    served = await startSite();
  }, 60_000);
  afterAll(async () => {
    await served?.close();
  });

  /** Opens a page at 1200×900 (the size these checks were written for), collecting console errors. */
  const open = (name: string) => openPage(served, name, { width: 1200, height: 900 });

  const readLoss = async (page: Page) => Number(await page.getByTestId("loss").textContent());

  it("index links to the three demos", async () => {
    const { page, errors } = await open("index.html");
    for (const href of ["./linear-classifier.html", "./optimizers.html", "./cifar.html"]) {
      expect(await page.locator(`a[href="${href}"]`).count()).toBe(1);
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it("linear-classifier: running lowers the loss", async () => {
    const { page, errors } = await open("linear-classifier.html");
    const before = await readLoss(page);
    expect(before).toBeGreaterThan(0);
    await page.getByTestId("run").click();
    await page.waitForTimeout(1500);
    await page.getByTestId("run").click(); // pause
    const after = await readLoss(page);
    expect(after).toBeLessThan(before);
    await page.screenshot({ path: join(artifacts, "linear-classifier.png") });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("optimizers: the racing optimizers lower the loss", async () => {
    const { page, errors } = await open("optimizers.html");
    const before = await readLoss(page);
    await page.getByTestId("run").click();
    await page.waitForTimeout(2000);
    const after = await readLoss(page);
    expect(after).toBeLessThan(before);
    await page.screenshot({ path: join(artifacts, "optimizers.png") });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("cifar: training in the page on two threads lowers the loss and draws the templates", async () => {
    const { page, errors } = await open("cifar.html");
    const started = () => !document.querySelector("#kernels")?.textContent?.includes("starting");
    await page.waitForFunction(started, undefined, { timeout: 30_000 });
    expect(await page.getByTestId("kernels").textContent()).toBe("kernels: wasm-simd × 2 threads");
    await page.getByTestId("run").click();
    const done = () => document.querySelector("#progress")?.textContent?.startsWith("done");
    await page.waitForFunction(done, undefined, { timeout: 60_000 });
    // The page keeps the first loss it showed (training may outrun the test's polling).
    const first = Number(await page.getByTestId("loss").getAttribute("data-first"));
    const last = await readLoss(page);
    expect(Number.isFinite(first)).toBe(true);
    expect(last).toBeLessThan(first);
    expect(await page.locator("#templates canvas").count()).toBe(10);
    expect(await page.locator("#samples canvas").count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(artifacts, "cifar.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
});
