// A planner turn asked for in another chat while the conversation is open on the page: the member's words and
// the "thinking" line show while the planner works (its status said once to a screen reader), and the answer
// takes the line's place; stopped in the terminal instead, the line goes and no answer comes. Driven through the real
// terminal adapter over the same runtime, as `planbot chat`.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { openTerminal } from "../helpers/console-typing.ts";
import { startHarness, stopHarnesses } from "../http/harness.ts";
import { closeBrowser, openPage, pageErrors } from "./browser.ts";

afterEach(stopHarnesses);
afterAll(closeBrowser);

describe("a turn answered in the terminal, with the page open on the conversation", () => {
  it("shows the member's words and the thinking line while the planner works, then the answer", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore([{ name: "alpha", status: "pending", description: "A todo app." }], 1);
    const terminal = openTerminal(harness.runtime.bot, "alice");
    await terminal.type("/plan alpha", /planner/i, 30_000);
    await expect
      .poll(async () => (await harness.call("GET", "/api/projects/alpha/plan/state")).json.pending_response, {
        timeout: 20_000,
      })
      .toBe(false);
    const page = await openPage();
    await page.goto(`${harness.origin}/#/p/alpha`);
    await page.waitForSelector(".msg-planner");
    const status = page.locator(".chat").getByRole("status");
    expect(await status.textContent()).toBe("");
    const region = await status.elementHandle();
    const answers = page.locator(".msg-planner:not(.thinking)");
    const answersBefore = await answers.count();

    const typed = terminal.printed().length;
    await terminal.type("[[fake:slow=15000]] Asked from the terminal.", "", 1000);
    const asked = page.locator('.msg-user:has-text("Asked from the terminal.")');
    await asked.waitFor({ timeout: 10_000 });
    await page.locator(".thinking").waitFor({ timeout: 10_000 });
    // Shown while the turn runs: planbot is still on it, and the terminal has no answer yet.
    expect((await harness.call("GET", "/api/projects/alpha/plan/state")).json.pending_response).toBe(true);
    expect(terminal.printed().slice(typed)).not.toContain("Asked from the terminal.");
    expect(await answers.count()).toBe(answersBefore);
    expect(await asked.locator(".msg-meta span").first().textContent()).toBe("alice (terminal)");
    // Said once, by the status region that was there before the turn, as for a turn started on the page.
    expect(await status.textContent()).toBe("The planner is thinking…");
    expect(await region?.evaluate((element: any) => element.isConnected)).toBe(true);
    const tree = await page.locator(".chat").ariaSnapshot();
    expect(tree.match(/The planner is thinking/g)).toHaveLength(1);
    expect(tree).toContain("- status: The planner is thinking…");

    await terminal.waitFor(typed, "Asked from the terminal.", 40_000);
    await page.locator(".thinking").waitFor({ state: "detached", timeout: 20_000 });
    await page.locator('.msg-planner:has-text("Asked from the terminal.")').waitFor();
    expect(await status.textContent()).toBe("");
    // The member's message once: the stored one took the place of the pending one.
    expect(await asked.count()).toBe(1);
    expect(pageErrors(page)).toEqual([]);
    await terminal.close();
  }, 120_000);

  it("stopped in the terminal while the planner works: the thinking line goes, and the answer never shows", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore([{ name: "alpha", status: "pending", description: "A todo app." }], 1);
    const terminal = openTerminal(harness.runtime.bot, "alice");
    await terminal.type("/plan alpha", /planner/i, 30_000);
    const page = await openPage();
    await page.goto(`${harness.origin}/#/p/alpha`);
    await page.waitForSelector(".msg-planner");

    const typed = terminal.printed().length;
    await terminal.type("[[fake:slow=8000]] Asked, then stopped.", "", 1000);
    await page.locator(".thinking").waitFor({ timeout: 10_000 });
    await terminal.type("/stop", /stop/i, 10_000);
    // Gone with the stop, not only when the planner would have answered (8 s on).
    await page.locator(".thinking").waitFor({ state: "detached", timeout: 6_000 });
    await page.getByRole("button", { name: "Plan again" }).waitFor({ timeout: 10_000 });
    expect(await page.locator(".chat").getByRole("status").textContent()).toBe("");

    // The stop ends the planner's turn too: once its process is gone from planbot's record, no answer can come,
    // and none shows on the page or in the terminal.
    expect((await harness.call("GET", "/api/projects/alpha/plan/state")).json.pending_response).toBe(false);
    const planners = join(harness.runtime.config.dataDir, "sessions", "planners");
    await expect.poll(() => existsSync(planners) && readdirSync(planners).length, { timeout: 30_000 }).toBe(0);
    expect(await page.locator('.msg-planner:has-text("Asked, then stopped.")').count()).toBe(0);
    expect(await page.locator(".thinking").count()).toBe(0);
    expect(terminal.printed().slice(typed)).not.toContain("You answered");
    expect(pageErrors(page)).toEqual([]);
    await terminal.close();
  }, 120_000);
});
