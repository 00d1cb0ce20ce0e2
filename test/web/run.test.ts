// The run tab in a real Chromium with the fake Ralph: a run that fails shows why and what failed, Retry
// runs it again to the end, and both runs stay listed with their logs.
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { fakeRalphPath } from "../fakes/paths.ts";
import { startHarness, stopHarnesses } from "../http/harness.ts";
import { closeBrowser, openPage, pageErrors, screenshot } from "./browser.ts";

afterEach(stopHarnesses);
afterAll(closeBrowser);

describe("the run tab", () => {
  it("a failed run is retried from the page and finishes; earlier runs stay readable", async () => {
    const harness = await startHarness({
      watch: true,
      env: { RALPH_COMMAND: `${fakeRalphPath} --tool claude 10` },
      processEnv: { FAKE_RALPH_DELAY_MS: "300" },
    });
    harness.runtime.onStop(() => harness.runtime.executor.stop());
    await harness.writeStore(
      [{ name: "retry-me", status: "approved", description: "A project whose first run fails." }],
      1,
    );
    await harness.writePrd("retry-me", 3, 0);
    const modeFile = join(workspacePaths(harness.runtime.config.workspaceDir, "retry-me").ralph, ".fake-mode");
    await writeFile(modeFile, "fail\n");
    await harness.runtime.watcher.refresh();

    const page = await openPage();
    await page.goto(`${harness.origin}/#/p/retry-me/run`);
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await page.waitForSelector('.project-head .badge:text("failed")', { timeout: 30_000 });
    await page.waitForSelector('.story[data-state="failed"]', { timeout: 10_000 });
    expect(await page.locator('.story[data-state="passes"]').count()).toBe(1);
    await expect.poll(() => page.getByLabel("Run log").innerText(), { timeout: 10_000 }).toContain("tests failed");
    await screenshot(page, "run-failed");

    await rm(modeFile);
    await page.getByRole("button", { name: "Retry" }).click();
    await page.waitForSelector('.project-head .badge:text("done")', { timeout: 30_000 });
    await expect.poll(() => page.locator('.story[data-state="passes"]').count(), { timeout: 10_000 }).toBe(3);
    await expect.poll(() => page.locator(".runs li").count(), { timeout: 10_000 }).toBe(2);
    // The earlier (failed) run's log is one click away.
    await page.locator(".runs li").nth(1).getByRole("button").click();
    await expect.poll(() => page.getByLabel("Run log").innerText(), { timeout: 15_000 }).toContain("tests failed");
    expect(pageErrors(page)).toEqual([]);
  }, 90_000);

  it("offers one way to cancel: the project's Cancel project, and while Ralph runs, Stop and cancel on the tab", async () => {
    const harness = await startHarness({
      watch: true,
      env: { RALPH_COMMAND: `${fakeRalphPath} --tool claude 10` },
      processEnv: { FAKE_RALPH_DELAY_MS: "100" },
    });
    harness.runtime.onStop(() => harness.runtime.executor.stop());
    // The progress sampler, as planbot start runs it: it sees the cancellation and stops Ralph.
    harness.runtime.onStop(await harness.runtime.live.start());
    await harness.writeStore(
      [
        { name: "waiting", status: "pending", description: "Not planned yet." },
        { name: "stuck", status: "approved", description: "A run that never ends by itself." },
      ],
      1,
    );
    await harness.writePrd("stuck", 3, 0);
    await writeFile(join(workspacePaths(harness.runtime.config.workspaceDir, "stuck").ralph, ".fake-mode"), "hang\n");
    await harness.runtime.watcher.refresh();

    const page = await openPage();
    await page.goto(`${harness.origin}/#/p/waiting/run`);
    // Never planned: the page's note says what comes next, and the run tab does not repeat it.
    await page.locator('[data-next="plan"]', { hasText: "Not planned yet. Next:" }).waitFor();
    expect(await page.getByText("Approve the plan (Finish in the conversation) to run it.").count()).toBe(0);
    // Not running: the run tab adds no second, vaguer Cancel beside the page's own.
    expect(await page.getByRole("button", { name: /cancel/i }).allTextContents()).toEqual(["Cancel project"]);

    await page.goto(`${harness.origin}/#/p/stuck/run`);
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await page.getByText("Ralph is running").waitFor({ timeout: 30_000 });
    expect(await page.getByRole("button", { name: /cancel/i }).allTextContents()).toEqual(["Stop and cancel"]);
    await page.getByRole("button", { name: "Stop and cancel" }).click();
    await page.waitForSelector('.project-head .badge:text("cancelled")', { timeout: 30_000 });
    expect(await page.getByRole("button", { name: /cancel/i }).count()).toBe(0);
    expect(pageErrors(page)).toEqual([]);
  }, 90_000);
});
