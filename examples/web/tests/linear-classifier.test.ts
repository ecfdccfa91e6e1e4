// The linear-classifier page in Chromium, checked number by number: for the W, b and points the page
// holds (window.__demo), every score, every Lᵢ, the data loss, the total and every gradient it shows
// are recomputed here with @slope/autograd's own functions (svmLoss, softmaxCrossEntropy, l2, linear,
// numericalGradient) — and for the structured and one-vs-all SVMs, against their formulas written out.
// Then: a single step moves W by −lr·∇, a negative λ is refused, divergence is flagged, the keyboard
// adds points, axe-core finds no violation, and the page fits a 390-px phone.
import { join } from "node:path";
import {
  type Var,
  add,
  l2,
  linear,
  mul,
  numericalGradient,
  param,
  softmaxCrossEntropy,
  svmLoss,
} from "@slope/autograd";
import { type Tensor, tensor } from "@slope/core";
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

interface Snapshot {
  W: number[][];
  b: number[];
  points: { x0: number; x1: number; y: number }[];
  kind: string;
  reg: number;
  lr: number;
  steps: number;
}
const snapshot = (page: Page) =>
  page.evaluate(() => (window as unknown as { __demo: { snapshot(): Snapshot } }).__demo.snapshot());

/** What the page shows, at full precision (each cell's data-value). */
async function shown(page: Page) {
  return page.evaluate(() => {
    const value = (el: Element | null) => Number((el as HTMLElement).dataset.value);
    const rows = [...document.querySelectorAll('[data-testid="points-table"] tbody tr')].map((row) =>
      [...row.querySelectorAll("td")].map(value),
    );
    const grad = (name: string) => value(document.querySelector(`[data-grad="${name}"]`));
    return {
      rows,
      mean: value(document.querySelector('[data-testid="points-mean"]')),
      dataLoss: value(document.querySelector('[data-testid="data-loss"]')),
      regLoss: value(document.querySelector('[data-testid="reg-loss"]')),
      total: value(document.querySelector('[data-testid="loss"]')),
      dW: [0, 1, 2].map((k) => [grad(`W[${k},0]`), grad(`W[${k},1]`)]),
      db: [0, 1, 2].map((k) => grad(`b[${k}]`)),
    };
  });
}

/** Expects |a − b| ≤ tol·max(1, |b|), naming what differs. */
function close(a: number, b: number, what: string, tol = 1e-10): void {
  if (!(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)))) expect.fail(`${what}: page ${a}, reference ${b}`);
}

/** The reference: scores through autograd's linear with Wᵀ [2, 3], the lecture's losses, their gradients. */
function reference(s: Snapshot) {
  const X = tensor(
    s.points.flatMap((p) => [p.x0, p.x1]),
    { shape: [s.points.length, 2], dtype: "float64" },
  );
  const labels = s.points.map((p) => p.y);
  const Wt = (W: number[][]) =>
    tensor(
      [0, 1].map((l) => W.map((row) => row[l]!)),
      { dtype: "float64" },
    );
  const scoresOf = (Wt: Tensor | Var, b: Tensor | Var) => linear(X, Wt, b);
  const scores = scoresOf(Wt(s.W), tensor(s.b, { dtype: "float64" })).value.toArray() as number[][];
  // Lᵢ written out, for the two SVMs autograd has no node of.
  const structured = (row: number[], y: number) =>
    Math.max(0, Math.max(...row.filter((_, j) => j !== y)) - row[y]! + 1);
  const oneVsAll = (row: number[], y: number) =>
    row.reduce((sum, sj, j) => sum + Math.max(0, 1 - (j === y ? 1 : -1) * sj), 0);
  const pointLoss = (row: number[], y: number): number => {
    const one = tensor([row], { dtype: "float64" });
    if (s.kind === "weston-watkins") return svmLoss(one, [y]).item();
    if (s.kind === "softmax") return softmaxCrossEntropy(one, [y]).item();
    return s.kind === "structured" ? structured(row, y) : oneVsAll(row, y);
  };
  const pointLosses = scores.map((row, i) => pointLoss(row, labels[i]!));
  const W = param(Wt(s.W)),
    b = param(tensor(s.b, { dtype: "float64" }));
  let dataLoss: number, dW: number[][], db: number[];
  if (s.kind === "weston-watkins" || s.kind === "softmax") {
    const sc = scoresOf(W, b);
    const data = s.kind === "softmax" ? softmaxCrossEntropy(sc, labels) : svmLoss(sc, labels);
    add(data, mul(l2(W), s.reg)).backward();
    dataLoss = data.item();
    const g = W.grad!.toArray() as number[][];
    dW = [0, 1, 2].map((k) => [g[0]![k]!, g[1]![k]!]);
    db = Array.from(b.grad!.data);
  } else {
    dataLoss = pointLosses.reduce((a, v) => a + v, 0) / pointLosses.length;
    const lossAt = (Wv: number[][], bv: number[]) => {
      const sc = scoresOf(Wt(Wv), tensor(bv, { dtype: "float64" })).value.toArray() as number[][];
      const per = sc.map((row, i) => (s.kind === "structured" ? structured : oneVsAll)(row, labels[i]!));
      return per.reduce((a, v) => a + v, 0) / per.length + s.reg * Wv.flat().reduce((a, v) => a + v * v, 0);
    };
    dW = numericalGradient(
      (t) => lossAt(t.toArray() as number[][], s.b),
      tensor(s.W, { dtype: "float64" }),
    ).toArray() as number[][];
    db = Array.from(numericalGradient((t) => lossAt(s.W, Array.from(t.data)), tensor(s.b, { dtype: "float64" })).data);
  }
  const regLoss = s.reg * s.W.flat().reduce((a, v) => a + v * v, 0);
  return { scores, pointLosses, dataLoss, regLoss, total: dataLoss + regLoss, dW, db };
}

/** Checks every number the page shows against the reference (gradients of the piecewise SVMs numerically). */
async function checkAgainstAutograd(page: Page, what: string): Promise<void> {
  const s = await snapshot(page);
  const seen = await shown(page);
  const ref = reference(s);
  expect(seen.rows.length, `${what}: one row per point`).toBe(s.points.length);
  seen.rows.forEach((row, i) => {
    const p = s.points[i]!;
    close(row[0]!, p.x0, `${what} row ${i} x₀`);
    close(row[1]!, p.x1, `${what} row ${i} x₁`);
    expect(row[2], `${what} row ${i} y`).toBe(p.y);
    for (let j = 0; j < 3; j++) close(row[3 + j]!, ref.scores[i]![j]!, `${what} row ${i} s${j}`);
    close(row[6]!, ref.pointLosses[i]!, `${what} row ${i} Lᵢ`);
  });
  close(seen.mean, ref.dataLoss, `${what} mean Lᵢ`);
  close(seen.dataLoss, ref.dataLoss, `${what} data loss`);
  close(seen.regLoss, ref.regLoss, `${what} regularisation loss`);
  close(seen.total, ref.total, `${what} total loss`);
  const tol = s.kind === "weston-watkins" || s.kind === "softmax" ? 1e-10 : 1e-6;
  for (let k = 0; k < 3; k++) {
    for (let l = 0; l < 2; l++) close(seen.dW[k]![l]!, ref.dW[k]![l]!, `${what} ∂L/∂W[${k},${l}]`, tol);
    close(seen.db[k]!, ref.db[k]!, `${what} ∂L/∂b[${k}]`, tol);
  }
}

const KINDS = ["weston-watkins", "one-vs-all", "structured", "softmax"];

describe.skipIf(!built || !haveBrowser)("linear-classifier.html in Chromium", () => {
  let site: Site;
  beforeAll(async () => {
    site = await startSite();
  }, 60_000);
  afterAll(async () => {
    await site?.close();
  });

  it("shows one row per point and every score, Lᵢ, loss and gradient as @slope/autograd computes them, " +
    "for all four losses", async () => {
    const { page, errors } = await openPage(site, "linear-classifier.html");
    const headers = await page.getByTestId("points-table").locator("thead th").allTextContents();
    expect(headers).toEqual(["x₀", "x₁", "y", "s₀", "s₁", "s₂", "Lᵢ"]);
    for (const randomized of [false, true]) {
      if (randomized) await page.getByTestId("randomize").click();
      for (const kind of KINDS) {
        await page.getByTestId("loss-kind").selectOption(kind);
        expect((await snapshot(page)).kind).toBe(kind);
        await checkAgainstAutograd(page, `${kind}${randomized ? " (randomized)" : ""}`);
      }
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("randomize draws new parameters, and the table follows them", async () => {
    const { page } = await openPage(site, "linear-classifier.html");
    const before = await snapshot(page);
    await page.getByTestId("randomize").click();
    const after = await snapshot(page);
    expect(after.W.flat().some((v, i) => v !== before.W.flat()[i])).toBe(true);
    await checkAgainstAutograd(page, "after randomize");
    await page.close();
  }, 60_000);

  it("a single step changes W by −lr·∂L/∂W and b by −lr·∂L/∂b, the gradients the page showed", async () => {
    const { page } = await openPage(site, "linear-classifier.html");
    for (const kind of ["weston-watkins", "softmax"]) {
      await page.getByTestId("loss-kind").selectOption(kind);
      await page.getByTestId("lr").fill("0.3");
      await page.getByTestId("lr").press("Enter");
      const before = await snapshot(page);
      expect(before.lr).toBe(0.3);
      const { dW, db } = await shown(page);
      const ref = reference(before);
      for (let k = 0; k < 3; k++) for (let l = 0; l < 2; l++) close(dW[k]![l]!, ref.dW[k]![l]!, `∂L/∂W[${k},${l}]`);
      await page.getByTestId("step").click();
      const after = await snapshot(page);
      expect(after.steps).toBe(before.steps + 1);
      for (let k = 0; k < 3; k++) {
        for (let l = 0; l < 2; l++) {
          close(after.W[k]![l]!, before.W[k]![l]! - 0.3 * dW[k]![l]!, `${kind} W[${k},${l}]`, 1e-12);
        }
        close(after.b[k]!, before.b[k]! - 0.3 * db[k]!, `${kind} b[${k}]`, 1e-12);
      }
      await checkAgainstAutograd(page, `${kind} after a step`);
    }
    await page.close();
  }, 60_000);

  it("refuses a negative regularisation strength: λ, the losses and the slider stay as they were", async () => {
    const { page } = await openPage(site, "linear-classifier.html");
    const total = await page.getByTestId("loss").textContent();
    const box = page.getByTestId("reg");
    await box.fill("-0.5");
    await box.press("Enter");
    expect((await snapshot(page)).reg).toBe(0.1);
    expect(await box.getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator("#reg-note").textContent()).toContain("refused");
    expect(await page.locator("#reg-slider").inputValue()).toBe("0.1");
    expect(await page.getByTestId("loss").textContent()).toBe(total);
    // A valid strength is taken, from the box or from the slider.
    await box.fill("0.5");
    await box.press("Enter");
    expect((await snapshot(page)).reg).toBe(0.5);
    expect(await box.getAttribute("aria-invalid")).toBeNull();
    await page.locator("#reg-slider").fill("1.2");
    expect((await snapshot(page)).reg).toBe(1.2);
    expect(await box.inputValue()).toBe("1.2");
    await checkAgainstAutograd(page, "λ = 1.2");
    await page.close();
  }, 60_000);

  it("flags divergence instead of printing overflowing numbers, and stops running", async () => {
    const { page, errors } = await openPage(site, "linear-classifier.html");
    for (const [id, v] of [
      ["lr", "10"],
      ["reg", "2"],
    ] as const) {
      await page.getByTestId(id).fill(v);
      await page.getByTestId(id).press("Enter");
    }
    await page.getByTestId("run").click();
    await page.getByTestId("diverged").waitFor({ state: "visible", timeout: 10_000 });
    expect(await page.getByTestId("run").textContent()).toBe("run");
    expect(await page.getByTestId("diverged").textContent()).toContain("Diverged");
    // Every number cell keeps to its box.
    const overflowing = await page.evaluate(() =>
      [...document.querySelectorAll("output, td, .lc-grad")]
        .filter((el) => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== "hidden")
        .map((el) => `${el.id || el.className}: ${el.textContent}`),
    );
    expect(overflowing).toEqual([]);
    for (const text of await page.locator("output").allTextContents()) expect(text.length).toBeLessThanOrEqual(12);
    await page.screenshot({ path: join(artifacts, "linear-classifier-diverged.png") });
    await page.getByTestId("lr").fill("0.1");
    await page.getByTestId("lr").press("Enter");
    await page.getByTestId("randomize").click();
    expect(await page.getByTestId("diverged").isHidden()).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("adds a point and picks its class from the keyboard alone, and from the form", async () => {
    const { page } = await openPage(site, "linear-classifier.html");
    const count = (await snapshot(page)).points.length;
    await page.locator("#plane").focus();
    await page.keyboard.press("2");
    for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Shift+ArrowUp");
    await page.keyboard.press("Enter");
    let points = (await snapshot(page)).points;
    expect(points.length).toBe(count + 1);
    expect(points.at(-1)).toEqual({ x0: 1, x1: 1, y: 2 });
    expect(await page.locator('input[name="class"][value="2"]').isChecked()).toBe(true);
    await page.keyboard.press("Delete");
    expect((await snapshot(page)).points.length).toBe(count);
    await page.getByLabel("x₀", { exact: true }).fill("-2");
    await page.getByLabel("x₁", { exact: true }).fill("3");
    await page.getByRole("radio", { name: "class 1" }).check();
    await page.getByRole("button", { name: "add point" }).click();
    points = (await snapshot(page)).points;
    expect(points.at(-1)).toEqual({ x0: -2, x1: 3, y: 1 });
    expect(await page.getByTestId("points-table").locator("tbody tr").count()).toBe(count + 1);
    await checkAgainstAutograd(page, "after adding points");
    await page.close();
  }, 60_000);

  it("labels every input, has no axe-core violation, and fits 1280×800 and a 390×844 phone", async () => {
    for (const [name, viewport] of [
      ["desktop", { width: 1280, height: 800 }],
      ["phone", PHONE],
    ] as const) {
      const { page, errors } = await openPage(site, "linear-classifier.html", viewport);
      const unlabelled = await page.evaluate(() =>
        [...document.querySelectorAll("input, select")]
          .filter((el) => (el as HTMLInputElement).labels?.length === 0 && !el.getAttribute("aria-label"))
          .map((el) => el.outerHTML),
      );
      expect(unlabelled).toEqual([]);
      expect(await axeViolations(page)).toEqual([]);
      expect(await scrollsSideways(page), `${name}: sideways scroll`).toBe(false);
      const canvas = await page.locator("#plane").boundingBox();
      expect(canvas!.x + canvas!.width).toBeLessThanOrEqual(viewport.width);
      // The two tables fit their panels whole: nothing to scroll inside them either.
      const clipped = await page.evaluate(() =>
        [...document.querySelectorAll(".lc-scroll")]
          .filter((el) => el.scrollWidth > el.clientWidth)
          .map((el) => `${el.getAttribute("aria-label")}: ${el.scrollWidth} > ${el.clientWidth}`),
      );
      expect(clipped).toEqual([]);
      await page.screenshot({ path: join(artifacts, `linear-classifier-${name}.png`), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    }
  }, 60_000);
});
