// The dashboard's connection in a real Chromium: planbot going away mid-session and coming back (the page
// says so, and catches up without a reload), and a restart with another DASHBOARD_TOKEN (the page says the
// browser is logged out, keeps what was typed, and shows no success).
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startHarness, stopHarnesses } from "../http/harness.ts";
import { closeBrowser, expectFailedRequests, failedRequests, openPage, screenshot } from "./browser.ts";

afterEach(stopHarnesses);
afterAll(closeBrowser);

/** Requests the page makes while planbot is down: the stream reconnecting, and its check of why it failed. */
const WHILE_DOWN = { status: "network", path: /^\/api\/projects\/(stream|signature)/ } as const;

describe("the live connection", () => {
  it("says when planbot goes away, and catches up on what changed meanwhile once it is back, without a reload", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore([{ name: "alpha", status: "pending", description: "A todo app." }], 1);
    await harness.runtime.watcher.refresh();
    const page = await openPage();
    expectFailedRequests(page, [WHILE_DOWN]);
    await page.goto(`${harness.origin}/`);
    await page.waitForSelector('main[data-ready="yes"] [data-column="pending"] [data-slug="alpha"]');
    expect(await page.locator(".conn").textContent()).toBe("live");
    await page.evaluate("window.__sameDocument = true");

    await harness.stopDashboard();
    const note = page.locator('[data-connection="offline"]');
    await note.waitFor({ timeout: 15_000 });
    expect(await note.textContent()).toMatch(/planbot is not answering since .*Reconnecting by itself/);
    expect(await page.locator(".conn").textContent()).toBe("offline");
    await screenshot(page, "connection-offline");
    // The page keeps trying (every 3 s, as the stream asked) and stays offline while nothing answers.
    await expect
      .poll(() => failedRequests(page).filter((failed) => failed.status === "network").length, { timeout: 20_000 })
      .toBeGreaterThan(0);
    expect(await page.locator(".conn").textContent()).toBe("offline");

    // Changed while the dashboard was down (by a chat, the CLI): the page learns it once it is back.
    expect((await harness.runtime.core.lifecycle.approve("alpha")).ok).toBe(true);
    await harness.runtime.watcher.refresh();
    await harness.startDashboard();
    await page.waitForSelector('[data-column="approved"] [data-slug="alpha"]', { timeout: 20_000 });
    await page.locator(".conn", { hasText: "live" }).waitFor();
    expect(await note.count()).toBe(0);
    expect(await page.evaluate("window.__sameDocument")).toBe(true);
  }, 90_000);
});
