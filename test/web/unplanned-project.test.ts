// A project proposed and never planned (no prd.json in its workspace), in a real Chromium: the page says what
// comes next in the chat's words (`/p`: plan it with Claude, or approve it as is), and approving it as is
// leads to the chat's `/approve` warning and a way to plan it, never to a Run button Ralph would refuse.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startHarness, stopHarnesses } from "../http/harness.ts";
import { closeBrowser, openPage, screenshot } from "./browser.ts";

afterEach(stopHarnesses);
afterAll(closeBrowser);

const APPROVED_UNPLANNED =
  "Approved, but Ralph needs a plan first: it has no prd.json with open stories, so it cannot run until it is planned. Plan it: Start planning in the Conversation.";

describe("a project that was never planned", () => {
  it("offers planning first; approved as is, it says a plan is needed, offers no Run, and planning it works", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore([{ name: "beta", status: "pending", description: "A weather bot." }], 1);
    await harness.runtime.watcher.refresh();
    const page = await openPage();
    await page.goto(`${harness.origin}/#/p/beta`);
    const next = page.locator('[data-next="plan"]');
    await next.waitFor();
    expect(await next.textContent()).toBe("Not planned yet. Next: plan it with Claude, or approve it as is.");

    await page.getByRole("button", { name: "Approve" }).click();
    await page.locator(".project-head .badge", { hasText: "approved" }).waitFor({ timeout: 15_000 });
    await next.filter({ hasText: "Approved, but" }).waitFor();
    expect(await next.textContent()).toBe(APPROVED_UNPLANNED);
    await screenshot(page, "approved-unplanned");
    // The Run tab offers nothing Ralph would refuse; the note above says why.
    await page.locator("nav.tabs").getByRole("link", { name: "Run" }).click();
    await page.waitForURL(/#\/p\/beta\/run$/);
    await page.getByText("No stories yet: they are written with the plan").waitFor();
    expect(await page.getByRole("button", { name: "Run", exact: true }).count()).toBe(0);
    expect(await next.textContent()).toBe(APPROVED_UNPLANNED);

    // Planning it from the Conversation: asked once (it leaves approved), in words that do not assume a plan,
    // and with no refusal on the way (an approval with no plan behind it is planned unforced).
    await next.getByRole("link", { name: "Conversation" }).click();
    await page.waitForURL(/#\/p\/beta$/);
    const questions: string[] = [];
    // The page's harness accepts every dialog (browser.ts): this only reads what was asked.
    page.on("dialog", (dialog) => void questions.push(dialog.message()));
    await page.getByRole("button", { name: "Start planning" }).click();
    await page.waitForSelector(".msg-planner", { timeout: 30_000 });
    expect(questions).toEqual([
      "beta is approved but has no plan yet. Plan it now? It goes back to planning until you finish.",
    ]);
    await page.locator(".project-head .badge", { hasText: "planning" }).waitFor({ timeout: 15_000 });
    expect(await next.count()).toBe(0);
  }, 90_000);

  it("plans it with Claude straight from the note", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore([{ name: "gamma", status: "pending", description: "An invoice scanner." }], 1);
    await harness.runtime.watcher.refresh();
    const page = await openPage();
    await page.goto(`${harness.origin}/#/p/gamma/plan`);
    await page.getByRole("link", { name: "plan it with Claude" }).click();
    await page.waitForSelector(".msg-planner", { timeout: 30_000 });
    await page.locator(".project-head .badge", { hasText: "planning" }).waitFor({ timeout: 15_000 });
    await page.waitForURL(/#\/p\/gamma$/);
  }, 90_000);
});
