// WCAG 2 contrast of a dashboard page as Chromium draws it: contrast-audit.js measures in the page, these name
// what failed with the view it was seen on.
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";

const auditSource = readFile(new URL("./contrast-audit.js", import.meta.url), "utf8");

/** What one audit of the page found: how many texts and controls it measured, and what fell short. */
export interface ContrastAudit {
  checked: number;
  failures: string[];
}

/** Every visible text and every enabled control's outline on `page` now, each failure prefixed with `view`. */
export async function auditContrast(page: Page, view: string): Promise<ContrastAudit> {
  const audit = (await page.evaluate(`${await auditSource}\nauditContrast()`)) as ContrastAudit;
  return { checked: audit.checked, failures: audit.failures.map((failure) => `${view}: ${failure}`) };
}

/**
 * Tabs through the whole page from its top, as a keyboard user does, and measures each focused element's
 * focus ring; returns how many were focused and the rings below 3:1, prefixed with `view`.
 */
export async function auditFocusRings(page: Page, view: string): Promise<ContrastAudit> {
  const source = await auditSource;
  await page.evaluate("document.activeElement?.blur(); window.scrollTo(0, 0)");
  const failures = new Set<string>();
  const visited = new Set<string>();
  let checked = 0;
  for (let step = 0; step < 120; step += 1) {
    await page.keyboard.press("Tab");
    const at = (await page.evaluate(
      `(() => { const e = document.activeElement; if (!e || e === document.body) return null;
        e.dataset.focusAudit ??= String(Math.random()); return e.dataset.focusAudit; })()`,
    )) as string | null;
    if (at === null || visited.has(at)) break;
    visited.add(at);
    checked += 1;
    const failure = (await page.evaluate(`${source}\nauditFocusRing()`)) as string | null;
    if (failure) failures.add(`${view}: ${failure}`);
  }
  return { checked, failures: [...failures] };
}
