// Enter in the answer box, as each kind of device is used: on a phone it breaks the line and the Send button
// sends (as phone chat apps do); on a desktop Enter sends and Shift+Enter breaks the line.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startHarness, stopHarnesses } from "../http/harness.ts";
import { closeBrowser, openPage, pageErrors } from "./browser.ts";

afterEach(stopHarnesses);
afterAll(closeBrowser);

/** A page (phone or desktop) on alpha's open conversation, the planner's first question shown. */
async function openConversation(phone: boolean) {
  const harness = await startHarness({ watch: true });
  await harness.writeStore([{ name: "alpha", status: "pending", description: "A todo app." }], 1);
  expect((await harness.call("POST", "/api/projects/alpha/plan/start", { body: {} })).status).toBe(200);
  await harness.runtime.watcher.refresh();
  const page = await openPage({ phone });
  await page.goto(`${harness.origin}/#/p/alpha`);
  await page.waitForSelector(".msg-planner");
  return { harness, page, box: page.getByLabel("Your answer") };
}

describe("Enter in the answer box", () => {
  it("on a phone breaks the line, and Send sends both lines", async () => {
    const { harness, page, box } = await openConversation(true);
    await box.tap();
    await page.keyboard.type("[[fake:slow=4000]] Offline first.");
    await page.keyboard.press("Enter");
    await page.keyboard.type("Then sync.");
    expect(await box.inputValue()).toBe("[[fake:slow=4000]] Offline first.\nThen sync.");
    // Nothing went to the planner: no turn, nothing new in the conversation.
    expect(await page.locator(".thinking").count()).toBe(0);
    expect((await harness.call("GET", "/api/projects/alpha/plan/state")).json.pending_response).toBe(false);
    expect(await box.getAttribute("placeholder")).not.toContain("Enter sends");

    await page.getByRole("button", { name: "Send" }).tap();
    const sent = page.locator('.msg-user:has-text("Offline first.")');
    await sent.waitFor({ timeout: 15_000 });
    expect(await sent.locator(".msg-body").innerText()).toContain("Then sync.");
    // The cursor stayed in the box while the planner thinks (the on-screen keyboard stays up), not on Send.
    await page.locator(".thinking").waitFor();
    expect(await page.evaluate("document.activeElement?.id")).toBe("composer-text");
    await page.locator(".thinking").waitFor({ state: "detached", timeout: 20_000 });
    expect(await box.inputValue()).toBe("");
    expect(pageErrors(page)).toEqual([]);
  }, 60_000);

  it("on a desktop sends, and Shift+Enter breaks the line", async () => {
    const { page, box } = await openConversation(false);
    await box.focus();
    await page.keyboard.type("Offline first.");
    await page.keyboard.press("Shift+Enter");
    await page.keyboard.type("Then sync.");
    expect(await box.inputValue()).toBe("Offline first.\nThen sync.");
    expect(await box.getAttribute("placeholder")).toContain("Enter sends");
    await page.keyboard.press("Enter");
    const sent = page.locator('.msg-user:has-text("Offline first.")');
    await sent.waitFor({ timeout: 15_000 });
    expect(await sent.locator(".msg-body").innerText()).toContain("Then sync.");
    await page.locator(".thinking").waitFor({ state: "detached", timeout: 20_000 });
    expect(await box.inputValue()).toBe("");
    expect(pageErrors(page)).toEqual([]);
  }, 60_000);
});
