// What every page of the web demos owes a student, checked on all four in Debian's Chromium: it loads
// without a console error; axe-core finds no violation of any impact; it has one main landmark
// and one h1, headings that skip no level; every form control has a name; keyboard focus is visible;
// a disabled button looks disabled; and on a 390×844 phone nothing scrolls sideways and every canvas
// fits the screen without being stretched. Screenshots of each page at 1280×800 and 390×844 are kept
// in .artifacts/web/ (<page>-every-page-desktop.png, <page>-every-page-phone.png).
import { join } from "node:path";
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

const PAGES = ["index", "linear-classifier", "optimizers", "cifar"] as const;
const DESKTOP = { width: 1280, height: 800 };
/** How long a page may keep starting (workers, first frames) before we call it loaded. */
const SETTLE_MS = 500;

/** Opens a page at a size and waits until it has loaded and drawn its first frames. */
async function openSettled(site: Site, name: string, viewport: { width: number; height: number }) {
  const opened = await openPage(site, `${name}.html`, viewport);
  await opened.page.waitForLoadState("load");
  await opened.page.waitForTimeout(SETTLE_MS);
  return opened;
}

/** Canvases that stick out of the viewport or are drawn stretched (CSS box's aspect ≠ the bitmap's). */
async function canvasesThatDoNotFit(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const bad: string[] = [];
    for (const canvas of Array.from(document.querySelectorAll("canvas"))) {
      const box = canvas.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue; // hidden (another tab, another mode)
      const name = canvas.id !== "" ? `#${canvas.id}` : (canvas.getAttribute("aria-label") ?? "a canvas");
      if (box.left < -0.5 || box.right > width + 0.5) {
        bad.push(`${name} spans ${box.left}..${box.right} of ${width} px`);
      }
      // Content box (without border and padding) against the bitmap's aspect ratio.
      const style = getComputedStyle(canvas);
      const horizontal = ["borderLeftWidth", "borderRightWidth", "paddingLeft", "paddingRight"] as const;
      const vertical = ["borderTopWidth", "borderBottomWidth", "paddingTop", "paddingBottom"] as const;
      const contentWidth = box.width - horizontal.reduce((sum, key) => sum + parseFloat(style[key]), 0);
      const contentHeight = box.height - vertical.reduce((sum, key) => sum + parseFloat(style[key]), 0);
      const drawn = contentWidth / contentHeight;
      const bitmap = canvas.width / canvas.height;
      if (Math.abs(drawn / bitmap - 1) > 0.03) {
        const drawnSize = `${contentWidth.toFixed(0)}×${contentHeight.toFixed(0)}`;
        bad.push(`${name} is drawn ${drawnSize} for a ${canvas.width}×${canvas.height} bitmap`);
      }
    }
    return bad;
  });
}

/** Headings that go down more than one level from the one before (an h2 followed by an h4), or start below h1. */
async function skippedHeadingLevels(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    let level = 0;
    const skipped: string[] = [];
    for (const heading of Array.from(document.querySelectorAll<HTMLElement>("h1, h2, h3, h4, h5, h6"))) {
      if (heading.closest("[hidden]") !== null) continue;
      const next = Number(heading.tagName.slice(1));
      const text = (heading.textContent ?? "").trim().slice(0, 40);
      if (next > level + 1) skipped.push(`h${next} "${text}" after h${level}`);
      level = next;
    }
    return skipped;
  });
}

/** Form controls with no accessible name: no <label>, aria-label or aria-labelledby. */
async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const controls = Array.from(
      document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(
        "input:not([type=hidden]), select, textarea",
      ),
    );
    return controls
      .filter((control) => {
        const labelledBy = (control.getAttribute("aria-labelledby") ?? "").split(/\s+/).filter((id) => id !== "");
        const named =
          (control.getAttribute("aria-label") ?? "").trim() !== "" ||
          labelledBy.some((id) => (document.getElementById(id)?.textContent ?? "").trim() !== "") ||
          Array.from(control.labels ?? []).some((label) => (label.textContent ?? "").trim() !== "");
        return !named;
      })
      .map((control) => control.outerHTML.slice(0, 120));
  });
}

/**
 * Tabs once round the page (at most `tabs` stops) and returns those whose keyboard focus shows no
 * ring: no outline of at least 2 px and no box-shadow. Returns how many were reached as well.
 */
async function focusWithoutRing(page: Page, tabs = 60): Promise<{ reached: number; withoutRing: string[] }> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  let reached = 0;
  const withoutRing: string[] = [];
  for (let i = 0; i < tabs; i++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      if (element === null || element === document.body) return null;
      const again = element.dataset.tabVisited !== undefined; // a mark, so that the round ends where it began
      element.dataset.tabVisited = "";
      const style = getComputedStyle(element);
      const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== "none";
      const name = element.id !== "" ? `#${element.id}` : ` "${(element.textContent ?? "").trim().slice(0, 30)}"`;
      return { again, ring, what: `${element.tagName.toLowerCase()}${name}` };
    });
    if (focused === null) continue;
    if (focused.again) break;
    reached++;
    if (!focused.ring) withoutRing.push(focused.what);
  }
  return { reached, withoutRing };
}

/** Computed look of a button enabled and then disabled (the first button of the page, restored after). */
async function disabledLook(page: Page) {
  return page.evaluate(() => {
    const button = document.querySelector("button");
    if (button === null) return null;
    const wasDisabled = button.disabled;
    const look = () => {
      const style = getComputedStyle(button);
      return { color: style.color, background: style.backgroundColor, opacity: style.opacity, cursor: style.cursor };
    };
    button.disabled = false;
    const enabled = look();
    button.disabled = true;
    const disabled = look();
    button.disabled = wasDisabled;
    return { enabled, disabled };
  });
}

describe.skipIf(!built || !haveBrowser)("every page of the web demos", () => {
  let site: Site;
  beforeAll(async () => {
    site = await startSite();
  });
  afterAll(async () => {
    await site?.close();
  });

  for (const name of PAGES) {
    describe(name, () => {
      // One load at each size, shared by the checks below (the focus check, which moves focus, runs last).
      let desktop: { page: Page; errors: string[] };
      let phone: { page: Page; errors: string[] };
      beforeAll(async () => {
        [desktop, phone] = await Promise.all([openSettled(site, name, DESKTOP), openSettled(site, name, PHONE)]);
      });
      afterAll(async () => {
        await desktop?.page.close();
        await phone?.page.close();
      });

      it("loads at 1280×800 and at 390×844 without a console error", () => {
        expect({ desktop: desktop.errors, phone: phone.errors }).toEqual({ desktop: [], phone: [] });
      });

      it("at 1280×800: axe-core finds no violation of any impact", async () => {
        await desktop.page.screenshot({ path: join(artifacts, `${name}-every-page-desktop.png`), fullPage: true });
        expect(await axeViolations(desktop.page)).toEqual([]);
      });

      it("at 390×844: no sideways scroll, canvases fit unstretched, no axe-core violation", async () => {
        const { page } = phone;
        await page.screenshot({ path: join(artifacts, `${name}-every-page-phone.png`), fullPage: true });
        const found = {
          scrollsSideways: await scrollsSideways(page),
          canvasesThatDoNotFit: await canvasesThatDoNotFit(page),
          axeViolations: await axeViolations(page),
        };
        expect(found).toEqual({ scrollsSideways: false, canvasesThatDoNotFit: [], axeViolations: [] });
      });

      it("has one main landmark holding its one h1, headings in order, a name on every form control", async () => {
        const { page } = desktop;
        const found = {
          mains: await page.locator("main, [role=main]").count(),
          h1s: await page.locator("h1").count(),
          h1sInMain: await page.locator("main h1, [role=main] h1").count(),
          skippedHeadingLevels: await skippedHeadingLevels(page),
          unlabelledControls: await unlabelledControls(page),
        };
        expect(found).toEqual({ mains: 1, h1s: 1, h1sInMain: 1, skippedHeadingLevels: [], unlabelledControls: [] });
      });

      it("shows a focus ring on all that the Tab key reaches, and a disabled button looks disabled", async () => {
        const { page } = desktop;
        const { reached, withoutRing } = await focusWithoutRing(page);
        expect(reached).toBeGreaterThan(0);
        expect(withoutRing).toEqual([]);
        const look = await disabledLook(page);
        if (look !== null) {
          expect(look.disabled.cursor).toBe("not-allowed");
          const { enabled, disabled } = look;
          expect(disabled.color !== enabled.color || disabled.background !== enabled.background).toBe(true);
        }
      });
    });
  }
});
