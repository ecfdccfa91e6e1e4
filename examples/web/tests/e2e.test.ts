// The web demos in a real browser: Debian's Chromium driven by playwright-core. For each page, serve
// the built site on 127.0.0.1, click run, and check that the loss shown goes down and that the page
// logged no error; a screenshot of each is kept in .artifacts/web/. Plus a check that the bundle
// imports no Node built-in.
import { existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const site = resolve(import.meta.dirname, "..", "dist");
const artifacts = resolve(import.meta.dirname, "..", "..", "..", ".artifacts", "web");
const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
const built = existsSync(join(site, "index.html"));
const haveBrowser = existsSync(CHROMIUM);
if (!built) console.warn(`skipping the browser tests: ${site} is not built (pnpm web:build)`);
if (!haveBrowser) console.warn(`skipping the browser tests: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml" };

describe.skipIf(!built)("the browser bundle", () => {
  it("contains no import of a Node built-in", () => {
    const builtins = ["fs", "path", "os", "crypto", "http", "https", "zlib", "child_process", "url", "stream", "util", "net", "worker_threads", "module"];
    const pattern = new RegExp(`(from\\s*|import\\s*\\(\\s*|require\\s*\\(\\s*)["'](node:[a-z_/]+|${builtins.join("|")})["']`);
    const files = readdirSync(join(site, "assets")).filter((f) => f.endsWith(".js"));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const code = readFileSync(join(site, "assets", file), "utf8");
      expect(code.match(pattern)?.[0] ?? null, file).toBeNull();
      expect(code.includes("__vite-browser-external"), `${file} has a module Vite stubbed out for the browser`).toBe(false);
    }
  });
});

describe.skipIf(!built || !haveBrowser)("the web demos in Chromium", () => {
  let server: Server;
  let base = "";
  let browser: Browser;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const path = normalize(decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
      const file = join(site, path === "/" ? "index.html" : path);
      if (!file.startsWith(site) || !existsSync(file)) { response.statusCode = 404; response.end(); return; }
      response.setHeader("content-type", TYPES[extname(file)] ?? "application/octet-stream");
      // Cross-origin isolated, as `pnpm web` serves the pages: the CIFAR page then runs two threads.
      response.setHeader("cross-origin-opener-policy", "same-origin");
      response.setHeader("cross-origin-embedder-policy", "require-corp");
      response.end(readFileSync(file));
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    mkdirSync(artifacts, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => server?.close(done));
  });

  /** Opens a page, collecting console errors and uncaught exceptions. */
  async function open(name: string) {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    page.on("console", (message) => { if (message.type() === "error") errors.push(message.text()); });
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${base}/${name}`);
    return { page, errors };
  }

  const readLoss = async (page: import("playwright-core").Page) => Number(await page.getByTestId("loss").textContent());

  it("index links to the three demos", async () => {
    const { page, errors } = await open("index.html");
    for (const href of ["./linear-classifier.html", "./optimizers.html", "./cifar.html"]) expect(await page.locator(`a[href="${href}"]`).count()).toBe(1);
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
    await page.waitForFunction(() => !document.querySelector("#kernels")?.textContent?.includes("starting"), undefined, { timeout: 30_000 });
    expect(await page.getByTestId("kernels").textContent()).toBe("kernels: wasm-simd × 2 threads");
    await page.getByTestId("run").click();
    await page.waitForFunction(() => document.querySelector("#progress")?.textContent?.startsWith("done"), undefined, { timeout: 60_000 });
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
