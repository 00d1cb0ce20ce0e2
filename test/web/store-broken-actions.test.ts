// Actions pressed while the store cannot be read, in a real Chromium: the banner at the top says what is wrong
// and what to do, so each refused action points there in a few words instead of repeating it under its button;
// a failure with another cause keeps its own words, and once the file is fixed the refused actions say it can
// be tried again.
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { proposeRefused, saveDescriptionRefused } from "../helpers/dashboard-actions.ts";
import { startHarness, stopHarnesses, type Harness } from "../http/harness.ts";
import { closeBrowser, expectFailedRequests, openPage, screenshot } from "./browser.ts";

afterEach(stopHarnesses);
afterAll(closeBrowser);

const POINTER = "Not done: planbot cannot read its project store; the message at the top says what to do.";

/** Replaces the store whole (a temp file renamed over it), as an editor would. */
async function replaceStore(harness: Harness, text: string): Promise<void> {
  const path = join(harness.dir, TASKS_FILE_NAME);
  await writeFile(`${path}.edit`, text);
  await rename(`${path}.edit`, path);
}

describe("actions refused because the store cannot be read", () => {
  it("point at the banner instead of repeating it; other failures keep their words", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore([{ name: "beta", status: "pending", description: "A weather bot." }], 1);
    await harness.runtime.watcher.refresh();
    const page = await openPage();
    expectFailedRequests(page, [
      { method: "POST", path: "/api/projects/approve", status: 500 },
      { method: "POST", path: "/api/projects/beta/edit", status: 500 },
      { method: "POST", path: "/api/projects/beta/plan/start", status: 500 },
      { method: "POST", path: "/api/projects/propose", status: 500 },
      { method: "POST", path: "/api/projects/propose", status: 400 },
      // The conversation is read again after a failed Start planning.
      { method: "GET", path: /^\/api\/projects\/beta\/plan\/(state|transcript)/, status: 500, optional: true },
    ]);
    await page.goto(`${harness.origin}/#/p/beta`);
    await page.getByText("No planning conversation is open.").waitFor();
    await replaceStore(harness, "{ broken");
    const banner = page.locator('[data-connection="error"]');
    await banner.waitFor({ timeout: 10_000 });
    const storePath = join(harness.dir, TASKS_FILE_NAME);

    await page.getByRole("button", { name: "Approve" }).click();
    const approveAlert = page.locator('.status-actions [role="alert"]');
    await approveAlert.waitFor();
    expect(await approveAlert.textContent()).toBe(POINTER);

    const editAlert = await saveDescriptionRefused(page, "A weather bot for the team chat.");
    expect(await editAlert.textContent()).toBe(POINTER);

    await page.getByRole("button", { name: "Start planning" }).click();
    const chatAlert = page.locator('.chat [role="alert"]', { hasText: "Not done" });
    await chatAlert.waitFor();
    expect((await chatAlert.textContent())?.trim()).toBe(POINTER);
    // The banner says what to do, once; the store's path on the server and the operator's fix are nowhere.
    const whole = (await page.locator("body").textContent()) ?? "";
    expect(whole.split("Please tell planbot's admin")).toHaveLength(2);
    expect(whole).not.toContain(storePath);
    expect(whole).not.toContain(harness.dir);
    expect(whole).not.toContain("fix or move the file");
    await screenshot(page, "store-broken-actions");

    const proposeAlert = await proposeRefused(page, "delta", "A photo sorter.");
    expect(await proposeAlert.textContent()).toBe(POINTER);
    // A failure of its own (a slug that is not valid) says what is wrong with it, banner or not.
    await page.getByLabel("Slug").fill("My App");
    await page.getByRole("button", { name: "Propose" }).click();
    await proposeAlert.filter({ hasNotText: POINTER }).waitFor();
    expect(await proposeAlert.textContent()).toContain("My App");

    // Fixed: the banner goes, and what was refused says it can be tried now, not how to fix the file.
    await page.getByLabel("Slug").fill("delta");
    await page.evaluate("location.hash = '#/p/beta'");
    await page.getByRole("button", { name: "Approve" }).click();
    await approveAlert.filter({ hasText: POINTER }).waitFor();
    await harness.writeStore([{ name: "beta", status: "pending", description: "A weather bot." }], 2);
    await banner.waitFor({ state: "detached", timeout: 10_000 });
    expect(await approveAlert.textContent()).toBe(
      "Not done: planbot could not read its project store then; it can now, so try again.",
    );
    await page.getByRole("button", { name: "Approve" }).click();
    await page.locator(".project-head .badge", { hasText: "approved" }).waitFor({ timeout: 15_000 });
    expect(await approveAlert.count()).toBe(0);
  }, 90_000);
});
