// Projects Ralph has finished with, in a real Chromium and the fake Ralph, read as a newcomer would: a blocked
// story's mark is a sign the font has (not an empty box), and a done project offers planning as "Plan again",
// not as a primary "Start planning", and no run Ralph would refuse (every story passes).
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { fakeRalphPath } from "../fakes/paths.ts";
import { startHarness, stopHarnesses, type Harness } from "../http/harness.ts";
import { closeBrowser, openPage, screenshot } from "./browser.ts";
import type { Page } from "playwright-core";

afterEach(stopHarnesses);
afterAll(closeBrowser);

/** A harness whose Ralph is the fake one, with `slug` approved, three stories, and the fake in `mode`. */
async function ranWith(slug: string, mode: string): Promise<{ harness: Harness; page: Page }> {
  const harness = await startHarness({
    watch: true,
    env: { RALPH_COMMAND: `${fakeRalphPath} --tool claude 10` },
    processEnv: { FAKE_RALPH_DELAY_MS: "100" },
  });
  harness.runtime.onStop(() => harness.runtime.executor.stop());
  await harness.writeStore([{ name: slug, status: "approved", description: `A project that ends ${mode}.` }], 1);
  await harness.writePrd(slug, 3, 0);
  await writeFile(join(workspacePaths(harness.runtime.config.workspaceDir, slug).ralph, ".fake-mode"), `${mode}\n`);
  await harness.runtime.watcher.refresh();
  const page = await openPage();
  await page.goto(`${harness.origin}/#/p/${slug}/run`);
  await page.getByRole("button", { name: "Run", exact: true }).click();
  return { harness, page };
}

/**
 * Whether each text draws differently from a character no font has: the browser draws every missing glyph as
 * the same empty box, so a mark drawn like it is one the person cannot read.
 */
function drawnAsGlyphs(page: Page, texts: string[]): Promise<boolean[]> {
  // A script for the page (the tests are not compiled with the DOM's types).
  return page.evaluate(`((marks) => {
    const canvas = document.createElement("canvas");
    canvas.width = 48;
    canvas.height = 48;
    const context = canvas.getContext("2d");
    const font = getComputedStyle(document.querySelector(".story .mark")).font;
    const draw = (text) => {
      context.clearRect(0, 0, 48, 48);
      context.font = font;
      context.fillText(text, 8, 36);
      return context.getImageData(0, 0, 48, 48).data.join(",");
    };
    const missing = draw(String.fromCodePoint(0x10fffd));
    return marks.map((mark) => draw(mark) !== missing);
  })(${JSON.stringify(texts)})`);
}

describe("a project Ralph has finished with", () => {
  it("blocked: every story's mark is one the page's font can draw", async () => {
    const { page } = await ranWith("stuck", "block");
    await page.waitForSelector('.project-head .badge:text("blocked")', { timeout: 30_000 });
    await page.waitForSelector('.story[data-state="blocked"]', { timeout: 10_000 });
    await page.waitForSelector('.story[data-state="passes"]');
    const marks = await page.locator(".story .mark").allTextContents();
    expect(marks).toHaveLength(3);
    expect(await drawnAsGlyphs(page, marks)).toEqual([true, true, true]);
    await screenshot(page, "finished-blocked");
  }, 60_000);

  it("done: planning is offered as Plan again, not as the primary Start planning", async () => {
    const { page } = await ranWith("shipped", "complete");
    await page.waitForSelector('.project-head .badge:text("done")', { timeout: 30_000 });
    await page.getByText("Done: every story passes, so Ralph has nothing left to do.").waitFor();
    expect(await page.getByRole("button", { name: "Run again" }).count()).toBe(0);
    await page.locator("nav.tabs").getByRole("link", { name: "Conversation" }).click();
    const again = page.getByRole("button", { name: "Plan again" });
    await again.waitFor();
    expect(await page.getByRole("button", { name: "Start planning" }).count()).toBe(0);
    expect(await again.getAttribute("class")).not.toContain("primary");
    await screenshot(page, "finished-done");
  }, 60_000);
});
