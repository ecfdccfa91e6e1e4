// What every browser test of the web demos shares: the built site served on 127.0.0.1 (cross-origin
// isolated, as `pnpm web` serves it), Debian's Chromium through playwright-core, a page opener that
// collects console errors, and axe-core injected into a page for its accessibility report.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve } from "node:path";
import { type Browser, type Page, chromium } from "playwright-core";

export const site = resolve(import.meta.dirname, "..", "..", "dist");
export const artifacts = resolve(import.meta.dirname, "..", "..", "..", "..", ".artifacts", "web");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const built = existsSync(join(site, "index.html"));
export const haveBrowser = existsSync(CHROMIUM);
if (!built) console.warn(`skipping the browser tests: ${site} is not built (pnpm web:build)`);
if (!haveBrowser) console.warn(`skipping the browser tests: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

/** The site and a browser, started together; `close()` stops both. */
export interface Site {
  base: string;
  browser: Browser;
  close(): Promise<void>;
}

/** Serves the built site on a free port of 127.0.0.1 and launches headless Chromium. */
export async function startSite(): Promise<Site> {
  const server: Server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname)).replace(
      /^(\.\.[/\\])+/,
      "",
    );
    const file = join(site, path === "/" ? "index.html" : path);
    if (!file.startsWith(site) || !existsSync(file)) {
      response.statusCode = 404;
      response.end();
      return;
    }
    response.setHeader("content-type", TYPES[extname(file)] ?? "application/octet-stream");
    response.setHeader("cross-origin-opener-policy", "same-origin");
    response.setHeader("cross-origin-embedder-policy", "require-corp");
    response.end(readFileSync(file));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  mkdirSync(artifacts, { recursive: true });
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    browser,
    async close() {
      await browser.close();
      await new Promise((done) => server.close(done));
    },
  };
}

/** Opens `name` at the given viewport (default 1280×800), collecting console errors and uncaught exceptions. */
export async function openPage(
  s: Site,
  name: string,
  viewport = { width: 1280, height: 800 },
): Promise<{ page: Page; errors: string[] }> {
  const page = await s.browser.newPage({ viewport });
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${s.base}/${name}`);
  return { page, errors };
}

/** axe-core's violations of every impact (minor to critical) on the page as it is now (id, impact, the first targets). */
export async function axeViolations(page: Page): Promise<string[]> {
  const source = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  await page.addScriptTag({ content: source });
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> };
      }
    ).axe;
    return (await axe.run()).violations;
  });
  return violations.map(
    (v) =>
      `${v.id} (${v.impact}) at ${v.nodes
        .map((n) => n.target.join(" "))
        .slice(0, 3)
        .join(", ")}`,
  );
}

/** Whether the page scrolls sideways (content wider than the viewport). */
export async function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}

/** The phone size the pages must fit. */
export const PHONE = { width: 390, height: 844 };
