// The optimizer playground in Chromium: layout at 1280×800 and 390×844, one step of each optimizer against
// @slope/optim's own step from the same start, the stated step count, the status line, the loss chart's scale,
// divergence flagged, and axe-core's report. Screenshots go to .artifacts/web/.
import { join } from "node:path";
import { tensor } from "@slope/core";
import {
  AdaGrad,
  Adam,
  Momentum,
  Nesterov,
  type Optimizer,
  type Parameter,
  RMSProp,
  SGD,
  surfaces,
} from "@slope/optim";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  PHONE,
  type Site,
  artifacts,
  built,
  haveBrowser,
  openPage,
  scrollsSideways,
  axeViolations,
  startSite,
} from "./support/site.js";

/** An optimizer's settings as its table row shows them. */
interface Settings {
  lr: number;
  extras: Record<string, number>;
  bias: boolean;
}

/** The page's settings for one optimizer, as its table row shows them. */
async function settings(page: Page, name: string): Promise<Settings> {
  return page.evaluate((n) => {
    const lr = Number(document.querySelector<HTMLInputElement>(`[data-lr="${n}"]`)!.value);
    const extras: Record<string, number> = {};
    for (const el of document.querySelectorAll<HTMLInputElement>(`[data-option^="${n}:"]`)) {
      extras[el.dataset.option!.split(":")[1]!] = Number(el.value);
    }
    const bias = document.querySelector<HTMLInputElement>("#biasCorrection")?.checked ?? true;
    return { lr, extras, bias };
  }, name);
}

/** @slope/optim's optimizer with the page's settings, built here in Node. */
function rebuild(name: string, p: Parameter[], s: Settings): Optimizer {
  const e = s.extras;
  switch (name) {
    case "SGD":
      return new SGD(p, { lr: s.lr });
    case "Momentum":
      return new Momentum(p, { lr: s.lr, momentum: e.momentum! });
    case "Nesterov":
      return new Nesterov(p, { lr: s.lr, momentum: e.momentum! });
    case "AdaGrad":
      return new AdaGrad(p, { lr: s.lr });
    case "RMSProp":
      return new RMSProp(p, { lr: s.lr, decayRate: e.decayRate! });
    case "Adam":
      return new Adam(p, { lr: s.lr, beta1: e.beta1!, beta2: e.beta2!, eps: e.eps!, biasCorrection: s.bias });
    default:
      throw new Error(`unknown optimizer ${name}`);
  }
}

const NAMES = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam"];
const position = async (page: Page, name: string) => {
  const now = page.getByTestId(`now-${name}`);
  return [Number(await now.getAttribute("data-x")), Number(await now.getAttribute("data-y"))];
};
const runToEnd = async (page: Page) => {
  await page.locator("#speed").fill("6"); // 16 steps a frame
  await page.getByTestId("run").click();
  const finished = () => document.querySelector("#run")?.textContent === "run again";
  await page.waitForFunction(finished, undefined, { timeout: 20_000 });
};
const chooseSurface = (page: Page, name: string) => page.locator("#surfaceName").selectOption(name);

describe.skipIf(!built || !haveBrowser)("the optimizer playground in Chromium", () => {
  let site: Site;
  beforeAll(async () => {
    site = await startSite();
  }, 60_000);
  afterAll(async () => {
    await site?.close();
  });

  it("puts the run button above the fold at 1280×800, with the surface, chart and controls side by side", async () => {
    const { page, errors } = await openPage(site, "optimizers.html");
    const run = await page.getByTestId("run").boundingBox();
    const surface = await page.getByTestId("surface").boundingBox();
    const chart = await page.getByTestId("chart").boundingBox();
    expect(run!.y).toBeLessThan(800);
    expect(run!.y + run!.height).toBeLessThan(800);
    expect(chart!.y).toBeGreaterThan(surface!.y + surface!.height - 1); // the chart under the surface
    expect(run!.x).toBeGreaterThan(surface!.x + surface!.width); // the controls beside it
    await page.waitForTimeout(200);
    await page.screenshot({ path: join(artifacts, "optimizers-desktop.png") });
    await runToEnd(page);
    await page.screenshot({ path: join(artifacts, "optimizers-desktop-run.png") });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("draws each surface to scale: as many pixels per unit on x as on y, the whole domain in view", async () => {
    const { page } = await openPage(site, "optimizers.html");
    for (const name of Object.keys(surfaces)) {
      await chooseSurface(page, name);
      const view = JSON.parse((await page.getByTestId("surface").getAttribute("data-view"))!) as {
        x: [number, number];
        y: [number, number];
        width: number;
        height: number;
      };
      const perX = view.width / (view.x[1] - view.x[0]),
        perY = view.height / (view.y[1] - view.y[0]);
      expect(Math.abs(perX - perY) / perX, name).toBeLessThan(1e-9);
      const { domain } = surfaces[name]!;
      expect(view.x[0]).toBeLessThanOrEqual(domain.x[0] + 1e-9);
      expect(view.x[1]).toBeGreaterThanOrEqual(domain.x[1] - 1e-9);
      expect(view.y[0]).toBeLessThanOrEqual(domain.y[0] + 1e-9);
      expect(view.y[1]).toBeGreaterThanOrEqual(domain.y[1] - 1e-9);
    }
    await page.close();
  }, 60_000);

  it("moves each optimizer by one step exactly as @slope/optim's step from the same start", async () => {
    const { page, errors } = await openPage(site, "optimizers.html");
    for (const name of ["quadratic-bowl", "rosenbrock"]) {
      await chooseSurface(page, name);
      const surface = surfaces[name]!;
      await page.getByTestId("step").click();
      expect(await page.getByTestId("progress").getAttribute("data-steps")).toBe("1");
      for (const kind of NAMES) {
        const p: Parameter = { value: tensor([...surface.start], { dtype: "float64" }), grad: null };
        const optimizer = rebuild(kind, [p], await settings(page, kind));
        p.grad = tensor(surface.gradient(...surface.start), { dtype: "float64" });
        optimizer.step();
        const [x, y] = await position(page, kind);
        expect([x, y], `${kind} on ${name}`).toEqual([p.value.data[0], p.value.data[1]]);
      }
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("runs exactly the surface's stated number of steps", async () => {
    const { page, errors } = await openPage(site, "optimizers.html");
    for (const name of ["quadratic-bowl", "saddle"]) {
      await chooseSurface(page, name);
      await runToEnd(page);
      const steps = surfaces[name]!.steps;
      expect(await page.getByTestId("progress").textContent()).toBe(`step ${steps} of ${steps}`);
      for (const kind of NAMES) {
        expect(await page.getByTestId(`now-${kind}`).getAttribute("data-steps"), kind).toBe(String(steps));
      }
      expect(await page.getByTestId("step").isDisabled()).toBe(true);
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("shows the new surface's start in the status line after a surface change", async () => {
    const { page } = await openPage(site, "optimizers.html");
    await page.getByTestId("surface").click({ position: { x: 100, y: 60 } });
    expect(await page.getByTestId("status").textContent()).toContain("chosen on the plot");
    for (const name of ["beale", "himmelblau", "two-minima"]) {
      await chooseSurface(page, name);
      const [x, y] = surfaces[name]!.start;
      const text = await page.getByTestId("status").textContent();
      expect(text).toContain(`start (${x}, ${y}), the surface's default`);
      expect(await position(page, "SGD")).toEqual([x, y]);
    }
    await page.close();
  }, 60_000);

  it("moves the start with the arrow keys on the focused plot", async () => {
    const { page } = await openPage(site, "optimizers.html");
    await page.getByTestId("surface").focus();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowUp");
    const [x, y] = await position(page, "Adam");
    const [x0, y0] = surfaces["quadratic-bowl"]!.start;
    expect(x).toBeGreaterThan(x0);
    expect(y).toBeGreaterThan(y0);
    expect(await page.getByTestId("status").textContent()).toContain("moved with the keyboard");
    await page.close();
  }, 60_000);

  it('names a refused setting once (no "Adam: Adam:")', async () => {
    const { page } = await openPage(site, "optimizers.html");
    await page.locator('[data-lr="Adam"]').fill("-1");
    await page.locator('[data-lr="Adam"]').dispatchEvent("change");
    const text = (await page.getByTestId("status").textContent())!;
    expect(text).toContain("Adam: lr must be");
    expect(text).not.toContain("Adam: Adam:");
    await page.close();
  }, 60_000);

  it("draws the loss on a log scale only when every loss is positive", async () => {
    const { page, errors } = await openPage(site, "optimizers.html");
    const seen: string[] = [];
    for (const name of ["quadratic-bowl", "saddle", "two-minima"]) {
      await chooseSurface(page, name);
      await runToEnd(page);
      const chart = page.getByTestId("chart");
      const scale = await chart.getAttribute("data-scale");
      const lowest = Number(await chart.getAttribute("data-lowest"));
      expect(scale, name).toBe(lowest > 0 ? "log" : "linear");
      seen.push(`${name}:${scale}`);
    }
    // The bowl's losses stay positive; the saddle's and the two wells' fall below 0.
    expect(seen).toEqual(["quadratic-bowl:log", "saddle:linear", "two-minima:linear"]);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("flags an optimizer that diverges", async () => {
    const { page } = await openPage(site, "optimizers.html");
    await page.locator('[data-lr="SGD"]').fill("1.2"); // 1 − 2·lr < −1 along y: each step grows |y|
    await page.locator('[data-lr="SGD"]').dispatchEvent("change");
    await runToEnd(page);
    expect(await page.getByTestId("now-SGD").textContent()).toContain("diverged at step");
    expect(await page.getByTestId("status").textContent()).toContain("SGD diverged at step");
    await page.screenshot({ path: join(artifacts, "optimizers-diverged.png") });
    await page.close();
  }, 60_000);

  it("has no axe-core violation of any impact", async () => {
    const { page } = await openPage(site, "optimizers.html");
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  }, 60_000);

  it("fits a 390-px phone without sideways scroll", async () => {
    const { page, errors } = await openPage(site, "optimizers.html", PHONE);
    await page.waitForTimeout(200);
    expect(await scrollsSideways(page)).toBe(false);
    const surface = await page.getByTestId("surface").boundingBox();
    expect(surface!.x + surface!.width).toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: join(artifacts, "optimizers-phone.png"), fullPage: true });
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
