// The dashboard at a small phone's width (360×740) and at a desktop's, with the longest slug planbot allows
// and text without a place to break (a pasted URL, a word run together): nothing may make the page
// scroll sideways or push its text out of view.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { startHarness, stopHarnesses } from "../http/harness.ts";
import { closeBrowser, openPage, screenshot } from "./browser.ts";

afterEach(stopHarnesses);
afterAll(closeBrowser);

/** 63 characters: the longest slug planbot accepts. */
const longSlug = "a-project-slug-as-long-as-planbot-allows-it-to-be-on-any-screen";
const unbroken = `https://example.com/${"reminders".repeat(20)}`;

/** How far the page scrolls sideways (0: not at all). */
const sideways = async (page: Page) =>
  (await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")) as number;

/** The right edge of the element furthest right among `selector`'s, in CSS pixels. */
const rightEdge = async (page: Page, selector: string) =>
  (await page.evaluate(
    `Math.max(...[...document.querySelectorAll(${JSON.stringify(selector)})].map((element) => element.getBoundingClientRect().right))`,
  )) as number;

describe("long text at a phone's width", () => {
  for (const [name, viewport] of [
    ["phone", { width: 360, height: 740 }],
    ["desktop", { width: 1280, height: 860 }],
  ] as const)
    it(`keeps a long slug, description, story and plan inside the screen (${name})`, async () => {
      const harness = await startHarness({ watch: true });
      await harness.writeStore(
        [
          {
            name: longSlug,
            status: "approved",
            description: `Sorts the photos at ${unbroken} by date, then by place.`,
            extra: { repo: "photos".repeat(10), branch: `feature/${"sorting".repeat(9)}` },
          },
        ],
        1,
      );
      const slug = longSlug;
      await harness.writePrd(slug, 2, 1);
      const paths = workspacePaths(harness.runtime.config.workspaceDir, slug);
      await writeFile(
        join(paths.ralph, "prd.json"),
        JSON.stringify({
          project: slug,
          branchName: `ralph/${slug}`,
          description: "test",
          userStories: [
            {
              id: "US-1",
              title: unbroken,
              description: unbroken,
              acceptanceCriteria: [],
              priority: 1,
              passes: false,
              notes: "",
            },
          ],
        }),
      );
      // A table wider than a phone: it scrolls on its own, the page does not.
      const columns = Array.from({ length: 12 }, (_, index) => `column-${index + 1}`);
      const table = `| ${columns.join(" | ")} |\n|${columns.map(() => "---").join("|")}|\n| ${columns.join(" | ")} |`;
      await writeFile(paths.finalPlan, `# Plan for ${slug}\n\nRead ${unbroken} first.\n\n${table}\n`);
      await harness.runtime.watcher.refresh();
      const page = await openPage({ phone: name === "phone" });
      await page.setViewportSize(viewport);

      await page.goto(`${harness.origin}/`);
      await page.waitForSelector(`main[data-ready="yes"] [data-slug="${slug}"]`);
      expect(await sideways(page)).toBe(0);
      expect(await rightEdge(page, ".card-desc, .card-link, .repo")).toBeLessThanOrEqual(viewport.width);

      await page.goto(`${harness.origin}/#/p/${slug}`);
      await page.waitForSelector(`main.project-page[data-slug="${slug}"]`);
      expect(await page.locator(".project-head .desc").textContent()).toContain(unbroken);
      expect(await sideways(page)).toBe(0);
      expect(await rightEdge(page, ".project-head h1, .project-head .desc, .project-head .repo")).toBeLessThanOrEqual(
        viewport.width,
      );
      await screenshot(page, `long-text-project-${name}`);

      await page.goto(`${harness.origin}/#/p/${slug}/plan`);
      await page.locator(".plan-doc", { hasText: unbroken }).waitFor();
      await page.locator(".story", { hasText: unbroken }).first().waitFor();
      await page.locator(".plan-doc table").waitFor();
      expect(await sideways(page)).toBe(0);
      expect(await rightEdge(page, ".plan-doc p, .story")).toBeLessThanOrEqual(viewport.width);
      await screenshot(page, `long-text-plan-${name}`);
    }, 60_000);
});

/** Every visible control of the page under 44 CSS pixels tall (a filter chip: 40), as "tag text height". */
const shortControls = async (page: Page) =>
  (await page.evaluate(`[...document.querySelectorAll("button, a.back, a.brand, .tabs a, .pr, summary, label.check, input:not([type=checkbox]), textarea")]
    .map((element) => [element, element.getBoundingClientRect()])
    .filter(([element, box]) => box.width > 0 && box.height < (element.classList.contains("chip") ? 40 : 44))
    .map(([element, box]) => element.tagName.toLowerCase() + " " + element.textContent.trim().slice(0, 30) + " " + Math.round(box.height))`)) as string[];

describe("controls a thumb can hit at a phone's width", () => {
  it("makes every button, link and toggle of the board and a project's page at least 44px tall (a filter chip 40px)", async () => {
    const harness = await startHarness({ watch: true });
    // 31 pending projects: the column shows 30 and a "Show all" link-like button.
    const many = Array.from({ length: 31 }, (_, index) => ({ name: `idea-${index + 1}`, status: "pending" }));
    await harness.writeStore(
      [
        ...many,
        {
          name: "shop",
          status: "failed",
          description: "A shop",
          extra: {
            error: "Ralph stopped after 3 iterations\n--- last lines of the log ---\nstory US-2 failed",
            pull_request: {
              url: "https://github.example/acme/shop/pull/3",
              number: 3,
              updated_at: "2026-01-03T00:00:00.000Z",
            },
          },
        },
      ],
      1,
    );
    await harness.runtime.watcher.refresh();
    const page = await openPage({ phone: true });
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${harness.origin}/`);
    await page.waitForSelector('main[data-ready="yes"] [data-slug="shop"] .pr');
    await page.getByRole("button", { name: "Show all 31" }).waitFor();
    await page.getByRole("button", { name: "New project" }).click();
    await page.getByRole("form", { name: "New project" }).waitFor();
    expect(await shortControls(page)).toEqual([]);
    await screenshot(page, "tap-targets-board-phone");

    await page.goto(`${harness.origin}/#/p/shop`);
    await page.getByText("Ralph's last lines").waitFor();
    expect(await shortControls(page)).toEqual([]);
    await screenshot(page, "tap-targets-project-phone");
  }, 60_000);
});

/**
 * How far `selector`'s focus ring (its outline, drawn `outline-offset` out from its box) reaches past the row it
 * sits in, which scrolls sideways and so cuts off what sticks out: the most, in CSS pixels, over its four sides.
 */
const ringOutside = async (page: Page, selector: string, row: string) =>
  (await page.evaluate(`(() => {
    const element = document.querySelector(${JSON.stringify(selector)});
    const style = getComputedStyle(element);
    const reach = parseFloat(style.outlineOffset) + parseFloat(style.outlineWidth);
    const box = element.getBoundingClientRect();
    const clip = element.closest(${JSON.stringify(row)}).getBoundingClientRect();
    return Math.max(clip.top - (box.top - reach), box.bottom + reach - clip.bottom, clip.left - (box.left - reach));
  })()`)) as number;

describe("focus rings in rows that scroll sideways", () => {
  it("draws a focused filter chip's and tab's ring inside its row, where nothing cuts it off", async () => {
    const harness = await startHarness();
    await harness.writeStore([{ name: "shop", status: "approved", description: "A shop" }], 1);
    const page = await openPage({ phone: true });
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${harness.origin}/`);
    await page.waitForSelector('main[data-ready="yes"]');
    // Focused from the keyboard, so :focus-visible applies.
    await page.getByRole("searchbox").focus();
    await page.keyboard.press("Tab");
    expect(await ringOutside(page, ".filters .chip:focus-visible", ".filters")).toBeLessThanOrEqual(0);
    await page.keyboard.press("Tab");
    expect(await ringOutside(page, ".filters .chip:focus-visible", ".filters")).toBeLessThanOrEqual(0);

    await page.goto(`${harness.origin}/#/p/shop`);
    await page.waitForSelector('main.project-page[data-slug="shop"]');
    await page.getByRole("button", { name: "Edit", exact: true }).focus();
    await page.keyboard.press("Tab");
    expect(await ringOutside(page, ".tabs a:focus-visible", ".tabs")).toBeLessThanOrEqual(0);
    await page.keyboard.press("Tab");
    expect(await ringOutside(page, ".tabs a:focus-visible", ".tabs")).toBeLessThanOrEqual(0);
  }, 60_000);
});

/** How far the focused element's box sticks out of the row `row` on its left or right, in CSS pixels (0: not at all). */
const focusedCutOff = async (page: Page, row: string) =>
  (await page.evaluate(`(() => {
    const box = document.activeElement.getBoundingClientRect();
    const clip = document.activeElement.closest(${JSON.stringify(row)}).getBoundingClientRect();
    return Math.max(0, clip.left - box.left, box.right - clip.right);
  })()`)) as number;

describe("a filter chip reached by Tab at a phone's width", () => {
  it("is scrolled wholly into its sideways row, not left cut off at the edge with its focus ring hidden", async () => {
    const harness = await startHarness();
    await harness.writeStore([{ name: "shop", status: "approved", description: "A shop" }], 1);
    const page = await openPage({ phone: true });
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(`${harness.origin}/`);
    await page.waitForSelector('main[data-ready="yes"]');
    await page.getByRole("searchbox").focus();
    const chips = await page.locator(".filters .chip").allTextContents();
    // The row is wider than the screen: some chips start out of view.
    expect(await page.evaluate(`document.querySelector(".filters").scrollWidth > innerWidth`)).toBe(true);
    const cutOff: string[] = [];
    for (const chip of chips) {
      await page.keyboard.press("Tab");
      expect(await page.evaluate("document.activeElement.textContent")).toBe(chip);
      const outside = await focusedCutOff(page, ".filters");
      if (outside > 0.5) cutOff.push(`${chip}: ${Math.round(outside)}px out of view`);
    }
    expect(cutOff).toEqual([]);
    // And back with Shift+Tab, to the first.
    for (const chip of chips.slice(0, -1).reverse()) {
      await page.keyboard.press("Shift+Tab");
      expect(await page.evaluate("document.activeElement.textContent")).toBe(chip);
      expect(await focusedCutOff(page, ".filters")).toBeLessThanOrEqual(0.5);
    }
  }, 60_000);
});
