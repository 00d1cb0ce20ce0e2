// Ending the conversation by keyboard, in a real Chromium with the fake planner: Stop and Finish take the answer box
// and their own button away, and focus goes to the note in their place, which says no conversation is open, not
// to the page (where a keyboard user would have to Tab through everything again).
import type { Page } from "playwright-core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startHarness, stopHarnesses } from "../http/harness.ts";
import { focused } from "./focused.ts";
import { closeBrowser, openPage } from "./browser.ts";

afterEach(stopHarnesses);
afterAll(closeBrowser);

/** Presses `name` from the keyboard and waits for the planner's turn to end. */
async function pressForTurn(page: Page, name: string | RegExp) {
  await page.getByRole("button", { name }).focus();
  await page.keyboard.press("Enter");
  await page.locator(".thinking").waitFor({ state: "detached", timeout: 20_000 });
}

describe("ending the conversation by keyboard", () => {
  it("Stop, then Finish, leave focus on the note that says no conversation is open, with Plan again next", async () => {
    const harness = await startHarness({ watch: true, processEnv: { CLAUDE_FAKE_DELAY_MS: "300" } });
    await harness.writeStore([{ name: "todo", status: "pending", description: "A todo app." }], 1);
    const page = await openPage({ phone: true });
    await page.goto(`${harness.origin}/#/p/todo`);
    await pressForTurn(page, "Start planning");
    await expect.poll(() => focused(page), { timeout: 5_000 }).toBe("textarea Your answer");

    await pressForTurn(page, "Stop");
    await page.getByRole("button", { name: "Plan again" }).waitFor();
    await expect.poll(() => focused(page), { timeout: 5_000 }).toBe("p No planning conversation is open.");
    await page.keyboard.press("Tab");
    expect(await focused(page)).toBe("button Plan again");

    await page.keyboard.press("Enter");
    await page.locator("#composer-text").waitFor();
    await page.locator(".thinking").waitFor({ state: "detached", timeout: 20_000 });
    for (let step = 0; step < 3; step += 1) await pressForTurn(page, /^(Next phase|Write the plan)$/);
    await page.locator(".phase strong", { hasText: "Plan written" }).waitFor();
    await pressForTurn(page, "Finish");
    await page.locator(".project-head .badge", { hasText: "approved" }).waitFor({ timeout: 15_000 });
    await expect.poll(() => focused(page), { timeout: 5_000 }).toBe("p No planning conversation is open.");
  }, 90_000);
});
