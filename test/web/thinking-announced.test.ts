// The conversation's "thinking" line as assistive tech gets it, read from Chromium's accessibility tree: a
// status says once that the planner is on it, the counting timer is not in the tree (so nothing is read out
// again with each second), and the status is empty again once the answer is in.
import type { Page } from "playwright-core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startHarness, stopHarnesses } from "../http/harness.ts";
import { closeBrowser, openPage } from "./browser.ts";

afterEach(stopHarnesses);
afterAll(closeBrowser);

/** The conversation's status region, found by its role: the one status the conversation has. */
const thinkingStatus = (page: Page) => page.locator(".chat").getByRole("status");

/** Waits until the visible timer has counted on at least once, and returns what the accessibility tree held meanwhile. */
async function treeWhileTimerCounts(page: Page): Promise<{ before: string; after: string }> {
  const seconds = page.locator(".thinking .secs");
  const before = await page.locator(".chat").ariaSnapshot();
  const shown = await seconds.textContent();
  await expect.poll(() => seconds.textContent(), { timeout: 10_000 }).not.toBe(shown);
  return { before, after: await page.locator(".chat").ariaSnapshot() };
}

/** A page on alpha's open conversation, the planner's first question shown. */
async function openConversation() {
  const harness = await startHarness({ watch: true });
  await harness.writeStore([{ name: "alpha", status: "pending", description: "A todo app." }], 1);
  expect((await harness.call("POST", "/api/projects/alpha/plan/start", { body: {} })).status).toBe(200);
  await harness.runtime.watcher.refresh();
  const page = await openPage();
  await page.goto(`${harness.origin}/#/p/alpha`);
  await page.waitForSelector(".msg-planner");
  return { harness, page };
}

describe("the planner's thinking line, to a screen reader", () => {
  it("is said once by a status that was there before the turn, not again as the timer counts", async () => {
    const { page } = await openConversation();
    const status = thinkingStatus(page);
    // There, empty, before the turn: a region added together with its words is often not read.
    expect(await status.textContent()).toBe("");
    const region = await status.elementHandle();

    await page.getByLabel("Your answer").fill("[[fake:slow=5000]] Only me, on a phone.");
    await page.getByRole("button", { name: "Send" }).click();
    await page.locator(".thinking").waitFor();
    expect(await status.textContent()).toBe("The planner is thinking…");
    // The same region that was there, not one put in its place.
    expect(await region?.evaluate((element: any) => element.isConnected)).toBe(true);

    const tree = await treeWhileTimerCounts(page);
    // Nothing the tree holds changes with the timer, so nothing is read out again; the words are in it once.
    expect(tree.after).toBe(tree.before);
    expect(tree.after.match(/The planner is thinking/g)).toHaveLength(1);
    expect(tree.after).toContain("- status: The planner is thinking…");
    expect(tree.after).not.toMatch(/\b\d+ s\b/);
    // The message list stays a list of messages: the sent one is in it, the thinking line is not.
    expect(await page.locator(".messages").ariaSnapshot()).toContain("Only me, on a phone.");
    expect(await page.locator(".messages").ariaSnapshot()).not.toContain("thinking");

    await page.locator(".thinking").waitFor({ state: "detached", timeout: 20_000 });
    expect(await status.textContent()).toBe("");
    expect(await page.locator(".chat").ariaSnapshot()).not.toContain("thinking");
  }, 60_000);

  it("is said for a turn started elsewhere (another tab, a chat) that is on when the page opens", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore([{ name: "alpha", status: "pending", description: "A todo app." }], 1);
    expect((await harness.call("POST", "/api/projects/alpha/plan/start", { body: {} })).status).toBe(200);
    // Answered from elsewhere: the request waits for the planner's answer, so it is not awaited here.
    const answered = harness.call("POST", "/api/projects/alpha/plan/respond", {
      body: { message: "[[fake:slow=6000]] Sent from the other tab." },
    });
    await expect
      .poll(async () => (await harness.call("GET", "/api/projects/alpha/plan/state")).json.pending_response, {
        timeout: 10_000,
      })
      .toBe(true);
    const page = await openPage();
    await page.goto(`${harness.origin}/#/p/alpha`);
    await page.locator(".thinking").waitFor();
    // The region was on the page, empty, while the conversation was read; the turn's words came after.
    const status = thinkingStatus(page);
    expect(await status.textContent()).toBe("The planner is thinking…");
    const tree = await treeWhileTimerCounts(page);
    expect(tree.after).toBe(tree.before);
    expect(tree.after.match(/The planner is thinking/g)).toHaveLength(1);
    expect((await answered).status).toBe(200);
    await page.locator(".thinking").waitFor({ state: "detached", timeout: 20_000 });
    expect(await status.textContent()).toBe("");
  }, 60_000);
});
