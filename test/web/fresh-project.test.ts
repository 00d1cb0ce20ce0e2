// A project that was only proposed, in a real Chromium: its page and every tab load without one failed
// request or console error (the plan and prd.json do not exist yet, so the page must not ask for them),
// and once Ralph's prd.json appears the Plan tab shows its stories without a reload.
import { mkdir, writeFile } from "node:fs/promises";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { startHarness, stopHarnesses } from "../http/harness.ts";
import { closeBrowser, openPage, undeclaredProblems } from "./browser.ts";

afterEach(stopHarnesses);
afterAll(closeBrowser);

describe("a freshly proposed project's page", () => {
  it("asks only for what exists: no failed request and no console error on any tab", async () => {
    const harness = await startHarness({ watch: true });
    const proposed = await harness.runtime.core.lifecycle.propose({ slug: "fresh-app", description: "A fresh app" });
    expect(proposed.ok).toBe(true);
    const page = await openPage();
    await page.goto(`${harness.origin}/#/p/fresh-app`);
    await page.waitForSelector('main[data-slug="fresh-app"]');
    await page.waitForLoadState("networkidle");

    await page.locator("nav.tabs").getByRole("link", { name: "Plan" }).click();
    await page.waitForURL(/#\/p\/fresh-app\/plan$/);
    await page.getByText("No stories yet: they are written with the plan").waitFor();
    await page.getByText("No plan written yet").waitFor();
    await page.waitForLoadState("networkidle");

    await page.locator("nav.tabs").getByRole("link", { name: "Run" }).click();
    await page.waitForURL(/#\/p\/fresh-app\/run$/);
    await page.getByText("No stories yet: they are written with the plan").waitFor();
    await page.waitForLoadState("networkidle");

    expect(undeclaredProblems(page)).toEqual([]);
  });

  it("shows the plan and prd.json's stories once the project's record says they were written", async () => {
    const harness = await startHarness({ watch: true });
    const proposed = await harness.runtime.core.lifecycle.propose({ slug: "storied", description: "Has stories" });
    expect(proposed.ok).toBe(true);
    const page = await openPage();
    await page.goto(`${harness.origin}/#/p/storied/plan`);
    await page.getByText("No stories yet: they are written with the plan").waitFor();

    // The plan is written as planning finishes it: final-plan.md, then prd.json. The watcher sees prd.json
    // and the page, told by the project's record, asks for both.
    const paths = workspacePaths(harness.runtime.config.workspaceDir, "storied");
    await mkdir(paths.ralph, { recursive: true });
    await writeFile(paths.finalPlan, "# Plan for storied\n\nThree stories.\n");
    await harness.writePrd("storied", 3, 1);
    await page.locator(".plan-doc h1", { hasText: "Plan for storied" }).waitFor({ timeout: 15_000 });
    await page.locator('.story[data-story="US-3"]').waitFor({ timeout: 15_000 });
    expect(await page.locator(".story").count()).toBe(3);
    expect(await page.locator('.story[data-state="passes"]').count()).toBe(1);
    await page.waitForLoadState("networkidle");
    expect(undeclaredProblems(page)).toEqual([]);
  });

  it("with Ralph's own prd.json and no final-plan.md shows the stories and asks for no plan", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore([{ name: "ralphs", status: "approved", description: "Stories only" }], 1);
    await harness.writePrd("ralphs", 2, 1);
    await harness.runtime.watcher.refresh();
    const page = await openPage();
    await page.goto(`${harness.origin}/#/p/ralphs/plan`);
    await page.locator('.story[data-story="US-2"]').waitFor();
    await page.getByText("No plan written yet").waitFor();
    await page.waitForLoadState("networkidle");
    expect(undeclaredProblems(page)).toEqual([]);
  });
});
