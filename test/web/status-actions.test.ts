// What a project's page offers in each status, in a real Chromium, read as a newcomer would: only actions that
// do something useful there (offered-actions.js). A failed or blocked project offers Retry, not an Approve that
// reads as "approve the retry" and runs nothing; a done project offers neither Cancel nor a run Ralph would
// refuse, and cancelling it through the API is refused in words that say why and what to do instead.
import { mkdir, writeFile } from "node:fs/promises";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { startHarness, stopHarnesses, type Harness } from "../http/harness.ts";
import { closeBrowser, openPage, screenshot } from "./browser.ts";
import type { Page } from "playwright-core";

afterEach(stopHarnesses);
afterAll(closeBrowser);

/** A prd.json whose one open story is blocked: the project reads as blocked. */
async function writeBlockedPrd(harness: Harness, slug: string): Promise<void> {
  const paths = workspacePaths(harness.runtime.config.workspaceDir, slug);
  await mkdir(paths.ralph, { recursive: true });
  const story = (id: string, passes: boolean, blocked: boolean) => ({
    id,
    title: `Story ${id}`,
    description: "A story.",
    acceptanceCriteria: ["it works"],
    priority: 1,
    passes,
    blocked,
    notes: "",
  });
  await writeFile(
    paths.prd,
    JSON.stringify({
      project: slug,
      branchName: `ralph/${slug}`,
      description: "test",
      userStories: [story("US-1", true, false), story("US-2", false, true)],
    }),
  );
}

/** The project page's status buttons and the Run tab's buttons of `slug`, as the page shows them. */
async function offered(page: Page, origin: string, slug: string): Promise<{ page: string[]; run: string[] }> {
  await page.goto(`${origin}/#/p/${slug}`);
  await page.locator(`main.project-page[data-slug="${slug}"]`).waitFor();
  const statusButtons = await page.locator(".status-actions button").allTextContents();
  await page.locator("nav.tabs").getByRole("link", { name: "Run" }).click();
  await page.locator(".run .actions").waitFor({ state: "attached" });
  return { page: statusButtons, run: await page.locator(".run .actions button").allTextContents() };
}

describe("the actions a project offers", () => {
  it("are the ones that make sense in its status", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore(
      [
        { name: "fresh", status: "pending" },
        { name: "ready", status: "approved" },
        { name: "broken", status: "failed" },
        { name: "stuck", status: "blocked" },
        { name: "shipped", status: "complete" },
        { name: "dropped", status: "cancelled" },
        { name: "resting", status: "idle" },
      ],
      1,
    );
    await harness.writePrd("ready", 2, 0);
    await harness.writePrd("broken", 3, 1);
    await writeBlockedPrd(harness, "stuck");
    await harness.writePrd("shipped", 3, 3);
    await harness.writePrd("dropped", 3, 1);
    await harness.writePrd("resting", 3, 1);
    await harness.runtime.watcher.refresh();
    const page = await openPage();

    expect(await offered(page, harness.origin, "fresh")).toEqual({ page: ["Approve", "Cancel project"], run: [] });
    expect(await offered(page, harness.origin, "ready")).toEqual({
      page: ["Unapprove", "Cancel project"],
      run: ["Run"],
    });
    expect(await offered(page, harness.origin, "broken")).toEqual({ page: ["Cancel project"], run: ["Retry"] });
    await screenshot(page, "actions-failed");
    expect(await offered(page, harness.origin, "stuck")).toEqual({ page: ["Cancel project"], run: ["Retry"] });
    expect(await offered(page, harness.origin, "shipped")).toEqual({ page: [], run: [] });
    // With nothing to press, the tab says what comes next instead.
    expect(await page.locator(".run .actions").textContent()).toBe(
      "Done: every story passes, so Ralph has nothing left to do. To build more on it, Plan again in the conversation.",
    );
    await screenshot(page, "actions-done");
    expect(await offered(page, harness.origin, "dropped")).toEqual({ page: [], run: [] });
    // Work left that nothing runs: Run approves it and runs it; nothing failed, so it is no "Retry". Its stories
    // are not done, so it can be dropped too, as failed work can.
    expect(await offered(page, harness.origin, "resting")).toEqual({ page: ["Cancel project"], run: ["Run"] });
  }, 60_000);

  it("an idle project is cancelled from its page: work left that nothing runs can be dropped", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore(
      [
        { name: "resting", status: "idle" },
        { name: "unplanned", status: "idle" },
      ],
      1,
    );
    await harness.writePrd("resting", 3, 1);
    await harness.runtime.watcher.refresh();
    const page = await openPage();
    // Without a plan it is offered Approve (approve it as is) and Cancel project.
    expect(await offered(page, harness.origin, "unplanned")).toEqual({ page: ["Approve", "Cancel project"], run: [] });

    await page.goto(`${harness.origin}/#/p/resting`);
    await page.locator(".project-head .badge", { hasText: "idle" }).waitFor();
    await page.locator(".status-actions").getByRole("button", { name: "Cancel project" }).click();
    await page.locator(".project-head .badge", { hasText: "cancelled" }).waitFor();
    expect(await page.locator('.status-actions [role="alert"]').count()).toBe(0);
    expect(await page.locator(".status-actions button").count()).toBe(0);
    const listed = await harness.call("GET", "/api/projects");
    const projects = listed.json.projects as { slug: string; status: string }[];
    expect(projects.find((project) => project.slug === "resting")?.status).toBe("cancelled");
    await screenshot(page, "actions-idle-cancelled");
  }, 60_000);

  it("a done project cannot be cancelled through the API either: the refusal says why and what to do", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore([{ name: "shipped", status: "complete" }], 1);
    await harness.writePrd("shipped", 3, 3);
    await harness.runtime.watcher.refresh();
    const answer = await harness.call("POST", "/api/projects/cancel", { body: { slug: "shipped" } });
    expect(answer.status).toBe(409);
    expect(answer.json).toMatchObject({
      error: "invalid_state",
      message:
        '"shipped" is complete: all 3 of its stories pass, so there is nothing left to cancel, and nothing was changed. Its branch and plan stay as they are; to build more on it, plan it again.',
    });
    const page = await openPage();
    await page.goto(`${harness.origin}/#/p/shipped`);
    await page.locator(".project-head .badge", { hasText: "done" }).waitFor();
  }, 60_000);
});
