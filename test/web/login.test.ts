// Logging in with DASHBOARD_TOKEN in a real Chromium (the plain login form, the session cookie, the app
// and its live stream behind it), and a project's page at phone width and in dark mode.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startHarness, stopHarnesses } from "../http/harness.ts";
import { closeBrowser, expectFailedRequests, failedRequests, openPage, pageErrors, screenshot } from "./browser.ts";

afterEach(stopHarnesses);
afterAll(closeBrowser);

describe("logging in", () => {
  it("a wrong token is refused with a message, the right one opens the live board", async () => {
    const harness = await startHarness({ env: { DASHBOARD_TOKEN: "s3cret-token-for-tests" }, watch: true });
    await harness.writeStore([{ name: "alpha", status: "pending", description: "A todo app." }], 1);
    await harness.runtime.watcher.refresh();
    const page = await openPage();
    // The login page is the 401 of "/" (before logging in and after logging out), a wrong token the login's.
    expectFailedRequests(page, [
      { method: "GET", path: "/", status: 401 },
      { method: "POST", path: "/api/login", status: 401 },
    ]);
    await page.goto(harness.origin + "/");
    await page.getByLabel("Dashboard token").fill("wrong");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForSelector('[role="alert"]');
    expect(await page.locator('[role="alert"]').innerText()).toMatch(/not right/);
    await screenshot(page, "login-refused");

    await page.getByLabel("Dashboard token").fill("s3cret-token-for-tests");
    await page.keyboard.press("Enter");
    await page.waitForSelector('main[data-ready="yes"] [data-slug="alpha"]');
    expect(await page.locator(".conn").innerText()).toBe("live");
    // The cookie is HttpOnly: the page's script cannot read it.
    expect(await page.evaluate("document.cookie")).toBe("");
    // The stream behind the cookie is live: an approval elsewhere moves the card.
    expect(
      (
        await harness.call("POST", "/api/projects/approve", {
          body: { slug: "alpha" },
          headers: { Authorization: "Bearer s3cret-token-for-tests" },
        })
      ).status,
    ).toBe(200);
    await page.waitForSelector('[data-column="approved"] [data-slug="alpha"]', { timeout: 15_000 });

    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForSelector('input[name="token"]');
    expect(failedRequests(page).map((failed) => `${failed.method} ${failed.path} ${failed.status}`)).toEqual([
      "GET / 401",
      "POST /api/login 401",
      "GET / 401",
    ]);
    expect(pageErrors(page)).toEqual([]);
  }, 90_000);
});

describe("too many wrong tokens in the login form", () => {
  it("are answered by the login page saying how long to wait, not by the API's JSON", async () => {
    const harness = await startHarness({ env: { DASHBOARD_TOKEN: "s3cret-token-for-tests" } });
    const page = await openPage();
    expectFailedRequests(page, [
      { method: "GET", path: "/", status: 401 },
      { method: "POST", path: "/api/login", status: 401 },
      { method: "POST", path: "/api/login", status: 429 },
    ]);
    await page.goto(harness.origin + "/");
    // The first wrong tokens are plain refusals; a few more and the address must wait.
    const statuses: number[] = [];
    while (!statuses.includes(429) && statuses.length < 10) {
      await page.getByLabel("Dashboard token").fill(`wrong-${statuses.length}`);
      const answered = page.waitForResponse((response) => response.url().endsWith("/api/login"));
      await page.getByRole("button", { name: "Log in" }).click();
      statuses.push((await answered).status());
      await page.waitForLoadState();
    }
    // Five free refusals, a sixth that starts the wait, then 429 (later if a slow machine outlasted a wait).
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.slice(0, -1).every((status) => status === 401)).toBe(true);
    expect(statuses.length).toBeGreaterThanOrEqual(7);
    expect(await page.locator('[role="alert"]').textContent()).toMatch(
      /^Too many wrong tokens from your address: wait \d+ s, then try again\.$/,
    );
    expect(await page.locator("pre").count()).toBe(0);
    await page.getByLabel("Dashboard token").waitFor();
    await screenshot(page, "login-too-many");
  });
});

describe("a project's page on a phone and in the dark", () => {
  it("has no sideways scrolling and reaches every tab by keyboard", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore(
      [{ name: "beta", status: "approved", description: "A weather bot for the team chat, with **markdown** in it." }],
      1,
    );
    await harness.writePrd("beta", 4, 2);
    await harness.runtime.watcher.refresh();
    for (const [scheme, phone] of [
      ["dark", true],
      ["dark", false],
      ["light", true],
    ] as const) {
      const page = await openPage({ scheme, phone });
      await page.goto(`${harness.origin}/#/p/beta/plan`);
      await page.waitForSelector('.story[data-state="passes"]');
      expect(await page.locator(".story").count()).toBe(4);
      const overflow = (await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth",
      )) as number;
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(page, `project-plan-${scheme}${phone ? "-phone" : ""}`);
      // Keyboard: focus the Run tab and follow it with Enter.
      await page.locator("nav.tabs a", { hasText: "Run" }).focus();
      await page.keyboard.press("Enter");
      await page.waitForURL(/\/run$/);
      await page.getByRole("button", { name: "Run", exact: true }).waitFor();
      await screenshot(page, `project-run-${scheme}${phone ? "-phone" : ""}`);
      expect(pageErrors(page)).toEqual([]);
    }
  }, 90_000);
});
