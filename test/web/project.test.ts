// A project from proposal to a finished run, through the page in a real Chromium: propose from the form,
// plan with the fake planner (rendered markdown in the dashboard's words, a visible thinking timer), the
// conversation still there after a reload, the written plan, and a run with the fake Ralph whose stories
// tick off in the checklist while its log streams in.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { fakeRalphPath } from "../fakes/paths.ts";
import { startHarness, stopHarnesses } from "../http/harness.ts";
import { closeBrowser, openPage, pageErrors, screenshot } from "./browser.ts";

afterEach(stopHarnesses);
afterAll(closeBrowser);

/** The conversation's visible text. */
const chatText = (page: Page) => page.locator(".messages").innerText();

/** Waits until no turn is running (the composer is enabled again). */
async function turnDone(page: Page) {
  await page.waitForSelector(".thinking", { state: "detached", timeout: 20_000 });
}

describe("a project's page", () => {
  it("proposes, plans through the page, survives a reload, shows the plan and runs it", async () => {
    const harness = await startHarness({
      watch: true,
      env: { RALPH_COMMAND: `${fakeRalphPath} --tool claude 10` },
      processEnv: { CLAUDE_FAKE_DELAY_MS: "1100", FAKE_RALPH_DELAY_MS: "900" },
    });
    // Stop (not detach) Ralph when the test ends, so no run outlives it.
    harness.runtime.onStop(() => harness.runtime.executor.stop());
    const page = await openPage();
    await page.goto(harness.origin + "/");
    await page.waitForSelector('main[data-ready="yes"]');

    await page.getByRole("button", { name: "New project" }).click();
    await page.getByLabel("Slug").fill("todo-app");
    await page.getByLabel("What should it do?").fill("A todo app with reminders <script>alert(1)</script>.");
    await page.getByRole("button", { name: "Propose" }).click();

    // The page opens and planning starts by itself; the planner is visibly thinking, with a timer.
    await page.waitForURL(/#\/p\/todo-app/);
    const thinking = page.locator(".thinking");
    await thinking.waitFor({ timeout: 10_000 });
    expect(await thinking.innerText()).toMatch(/planner is .*\d+ s/);
    await turnDone(page);
    expect(await chatText(page)).toMatch(/\?/);
    expect(await page.locator(".project-head h1").innerText()).toContain("todo-app");

    await page.getByLabel("Your answer").fill("Web only, **one** user. <img src=x onerror=alert(1)>");
    await page.keyboard.press("Enter");
    await thinking.waitFor();
    expect(await page.locator(".msg-user").last().innerText()).toContain("Web only");
    await screenshot(page, "chat-thinking");
    await turnDone(page);
    // Rendered markdown: the user's **one** is bold; the <img> is shown as the text it is, not run.
    expect(await page.locator(".msg-user strong", { hasText: "one" }).count()).toBeGreaterThan(0);
    expect(await page.locator(".messages img").count()).toBe(0);
    expect(await page.locator(".msg-user").last().innerText()).toContain("<img src=x onerror=alert(1)>");

    for (const phase of ["Design", "Stories"]) {
      await page.getByRole("button", { name: "Next phase" }).click();
      await turnDone(page);
      await page.waitForSelector(`.phase strong:text("${phase}")`);
    }
    expect(await page.locator(".msg-planner h2").count()).toBeGreaterThan(0);
    await page.getByRole("button", { name: "Write the plan" }).click();
    await turnDone(page);
    await page.waitForSelector('.phase strong:text("Plan written")');
    const text = await chatText(page);
    expect(text).not.toMatch(/\*\*|^#+ |\/next|\/done|\[\[PHASE_READY\]\]/m);
    // The plan the planner wrote reads as a document, not as markdown source in a code block.
    expect(await page.locator(".msg-planner h1", { hasText: "Plan for todo-app" }).count()).toBe(1);
    expect(text).toContain("The stories (prd.json) are on the Plan tab.");
    await screenshot(page, "chat-light");

    // Reload: the conversation comes back from planbot's record.
    const before = await page.locator(".msg").count();
    await page.reload();
    await page.waitForSelector(".msg-planner");
    await expect.poll(() => page.locator(".msg").count(), { timeout: 15_000 }).toBe(before);

    // The same conversation on a phone in the dark: nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: "dark" });
    expect(
      (await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")) as number,
    ).toBeLessThanOrEqual(0);
    await screenshot(page, "chat-dark-phone");
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.emulateMedia({ colorScheme: "light" });

    await page.getByRole("button", { name: "Finish" }).click();
    await page.waitForSelector('.project-head .badge:text("approved")', { timeout: 20_000 });

    // The plan tab: final-plan.md as HTML and the stories, none passed yet.
    await page.locator("nav.tabs").getByRole("link", { name: "Plan" }).click();
    await page.waitForURL(/\/plan$/);
    await page.waitForSelector(".plan-doc h1, .plan-doc h2");
    expect(await page.locator(".plan-doc").innerText()).not.toMatch(/^#+ /m);
    await expect.poll(() => page.locator(".story").count(), { timeout: 15_000 }).toBe(3);
    expect(await page.locator('.story[data-state="passes"]').count()).toBe(0);
    await screenshot(page, "plan-light");

    // Run it: the checklist fills as the fake Ralph passes stories, and the log tails along.
    await page.locator("nav.tabs").getByRole("link", { name: "Run" }).click();
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await page.waitForSelector('.story[data-state="passes"]', { timeout: 20_000 });
    const partway = await page.locator('.story[data-state="passes"]').count();
    await page.waitForSelector('.project-head .badge:text("done")', { timeout: 30_000 });
    await expect.poll(() => page.locator('.story[data-state="passes"]').count(), { timeout: 10_000 }).toBe(3);
    expect(partway).toBeGreaterThanOrEqual(1);
    await expect.poll(() => page.getByLabel("Run log").innerText(), { timeout: 15_000 }).toContain("planbot:");
    expect(await page.locator(".runs li").count()).toBe(1);
    await screenshot(page, "run-light");
    expect(pageErrors(page)).toEqual([]);
  }, 120_000);
});
