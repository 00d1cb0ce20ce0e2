// The dashboard's connection in a real Chromium: planbot going away mid-session and coming back (the page
// says so, and catches up without a reload), and a restart with another DASHBOARD_TOKEN (the page says the
// browser is logged out, keeps what was typed, and shows no success).
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { startHarness, stopHarnesses } from "../http/harness.ts";
import { closeBrowser, expectFailedRequests, failedRequests, openPage, screenshot } from "./browser.ts";

afterEach(stopHarnesses);
afterAll(closeBrowser);

const UNANSWERED_TEXT = /planbot did not answer: it may be stopped or restarting/;

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

describe("a session planbot no longer accepts", () => {
  it("is said to be logged out; a planning answer sent then is refused, kept, and sent after logging in again", async () => {
    const before = "first-token-0123456789abcdef-zyxw";
    const after = "second-token-9876543210fedcba-qrst";
    const harness = await startHarness({ env: { DASHBOARD_TOKEN: before }, watch: true });
    await harness.writeStore([{ name: "alpha", status: "pending", description: "A todo app." }], 1);
    const started = await harness.call("POST", "/api/projects/alpha/plan/start", {
      body: {},
      headers: { Authorization: `Bearer ${before}` },
    });
    expect(started.status).toBe(200);
    const page = await openPage();
    expectFailedRequests(page, [
      // The login page, before the first login and after the session ended.
      { method: "GET", path: "/", status: 401 },
      // The stream reconnecting after the restart, and its check of why it was refused.
      { method: "GET", path: "/api/projects/stream", status: 401 },
      { method: "GET", path: "/api/projects/signature", status: 401 },
      { method: "POST", path: "/api/projects/alpha/plan/respond", status: 401 },
      { ...WHILE_DOWN, optional: true },
    ]);
    await page.goto(`${harness.origin}/`);
    await page.getByLabel("Dashboard token").fill(before);
    await page.keyboard.press("Enter");
    await page.waitForSelector('main[data-ready="yes"]');
    await page.goto(`${harness.origin}/#/p/alpha`);
    await page.waitForSelector(".msg-planner");
    const answer = "Only me, and it must work offline on a phone.";
    await page.getByLabel("Your answer").fill(answer);

    // planbot restarts with another token: the browser's session cookie is no longer accepted.
    await harness.stopDashboard();
    await harness.startDashboard({ token: after });
    const note = page.locator('[data-connection="logged-out"]');
    await note.waitFor({ timeout: 20_000 });
    expect(await note.textContent()).toContain("You are logged out");
    expect(await page.locator(".conn").textContent()).toBe("logged out");
    await screenshot(page, "connection-logged-out");

    await page.getByRole("button", { name: "Send" }).click();
    const alert = page.locator('.chat [role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).toContain("You are logged out, so nothing was done");
    expect(await page.getByLabel("Your answer").inputValue()).toBe(answer);
    expect(await page.locator(".thinking").count()).toBe(0);
    expect(await page.locator(".msg-user", { hasText: answer }).count()).toBe(0);

    // Logging in again (with the new token) comes back to this page, with the answer still typed.
    await page.getByRole("button", { name: "Log in again" }).click();
    await page.getByLabel("Dashboard token").fill(after);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/#\/p\/alpha$/);
    await page.waitForSelector(".msg-planner");
    expect(await page.getByLabel("Your answer").inputValue()).toBe(answer);
    await page.getByRole("button", { name: "Send" }).click();
    await page.locator(".msg-planner", { hasText: answer }).waitFor({ timeout: 20_000 });
    expect(await page.getByLabel("Your answer").inputValue()).toBe("");
  }, 90_000);
});

/**
 * A reverse proxy in front of the dashboard that answers 502 while planbot is down, as nginx does: the
 * browser then gets an answer that is not a stream and gives the EventSource up for good.
 */
async function startProxy(): Promise<{
  origin: string;
  target: (port: number) => void;
  /** Stops passing anything on over the answers under way (new requests go through). */
  freeze: () => void;
  close: () => Promise<void>;
}> {
  let backend = 0;
  const underway = new Set<{ unpipe: () => void }>();
  const server = createServer((req, res) => {
    const forwarded = httpRequest(
      { host: "127.0.0.1", port: backend, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        const entry = { unpipe: () => answer.unpipe(res) };
        underway.add(entry);
        answer.on("end", () => underway.delete(entry));
      },
    );
    forwarded.on("error", () => {
      if (res.headersSent) return void res.destroy();
      res.writeHead(502, { "Content-Type": "text/html" });
      res.end("<h1>502 Bad Gateway</h1>");
    });
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    target: (next) => {
      backend = next;
    },
    freeze: () => {
      for (const entry of underway) entry.unpipe();
      underway.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe("behind a reverse proxy", () => {
  it("reconnects after the proxy answered 502 while planbot restarted (the browser alone gives up)", async () => {
    const proxy = await startProxy();
    try {
      const harness = await startHarness({ env: { DASHBOARD_ORIGINS: proxy.origin }, watch: true });
      proxy.target(harness.dashboard.port);
      await harness.writeStore([{ name: "alpha", status: "pending", description: "A todo app." }], 1);
      await harness.runtime.watcher.refresh();
      const page = await openPage();
      expectFailedRequests(page, [
        { method: "GET", path: "/api/projects/stream", status: 502 },
        { method: "GET", path: "/api/projects/signature", status: 502, optional: true },
      ]);
      await page.goto(`${proxy.origin}/`);
      await page.waitForSelector('main[data-ready="yes"] [data-column="pending"] [data-slug="alpha"]');

      await harness.stopDashboard();
      await page.locator('[data-connection="offline"]').waitFor({ timeout: 15_000 });
      await expect
        .poll(() => failedRequests(page).filter((failed) => failed.status === 502).length, { timeout: 20_000 })
        .toBeGreaterThan(0);
      expect((await harness.runtime.core.lifecycle.approve("alpha")).ok).toBe(true);
      await harness.runtime.watcher.refresh();
      await harness.startDashboard();
      await page.waitForSelector('[data-column="approved"] [data-slug="alpha"]', { timeout: 30_000 });
      await page.locator(".conn", { hasText: "live" }).waitFor();
      expect(await page.locator('[data-connection="offline"]').count()).toBe(0);
    } finally {
      await proxy.close();
    }
  }, 90_000);
});

describe("a store planbot cannot read", () => {
  it("is named on the project's page (not called 'not answering'), and the page recovers once it is fixed", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore([{ name: "beta", status: "pending", description: "A weather bot." }], 1);
    await harness.runtime.watcher.refresh();
    const page = await openPage();
    expectFailedRequests(page, [{ ...WHILE_DOWN, optional: true }]);
    await page.goto(`${harness.origin}/#/p/beta`);
    await page.waitForSelector('main[data-slug="beta"]');
    // The conversation's own reads are in before planbot goes away.
    await page.getByText("No planning conversation is open.").waitFor();

    // Streams planbot answered from here on: the one after the restart should be the only one.
    let streams = 0;
    page.on("response", (response) => {
      if (response.url().endsWith("/api/projects/stream") && response.status() === 200) streams += 1;
    });
    // planbot restarts and finds its store broken: the new stream says so in an error frame and stays open.
    await writeFile(join(harness.dir, TASKS_FILE_NAME), "{ broken");
    await harness.stopDashboard();
    await harness.startDashboard();
    const banner = page.locator('[data-connection="error"]');
    await banner.waitFor({ timeout: 20_000 });
    expect(await banner.textContent()).toContain(TASKS_FILE_NAME);
    await page.locator('[data-connection="offline"]').waitFor({ state: "detached" });
    // The header is about the connection, which is back: "live", while the store's message says what is wrong.
    await page.locator(".conn", { hasText: "live" }).waitFor();
    await screenshot(page, "connection-store-broken");
    // From here until the fixed list arrives the page never calls planbot gone, nor the stream anything but live.
    await page.evaluate(`new MutationObserver(() => {
      if (document.querySelector('[data-connection="offline"]')) window.__offlineSeen = true;
      if (document.querySelector(".conn")?.textContent !== "live") window.__notLiveSeen = true;
    }).observe(document.body, { childList: true, subtree: true, characterData: true })`);
    expect(await page.locator('main[data-slug="beta"]').count()).toBe(1);

    await harness.writeStore([{ name: "beta", status: "approved", description: "A weather bot." }], 2);
    await page.locator(".project-head .badge", { hasText: "approved" }).waitFor({ timeout: 20_000 });
    await banner.waitFor({ state: "detached" });
    await page.locator(".conn", { hasText: "live" }).waitFor();
    // The list came on the stream that brought the error: planbot kept it open, the page never reconnected.
    expect(streams).toBe(1);
    expect(await page.evaluate("window.__offlineSeen === true")).toBe(false);
    expect(await page.evaluate("window.__notLiveSeen === true")).toBe(false);
  }, 90_000);
});

describe("logging out while planbot does not answer", () => {
  it("says the browser is still logged in, with no script error, and works once planbot is back", async () => {
    const token = "logout-token-0123456789abcdef-klmn";
    const harness = await startHarness({ env: { DASHBOARD_TOKEN: token }, watch: true });
    const page = await openPage();
    expectFailedRequests(page, [
      { method: "GET", path: "/", status: 401 },
      { method: "POST", path: "/api/logout", status: "network" },
      { ...WHILE_DOWN, optional: true },
    ]);
    await page.goto(`${harness.origin}/`);
    await page.getByLabel("Dashboard token").fill(token);
    await page.keyboard.press("Enter");
    await page.waitForSelector('main[data-ready="yes"]');

    await harness.stopDashboard();
    await page.getByRole("button", { name: "Log out" }).click();
    const alert = page.locator('.banner[role="alert"]', { hasText: "You are still logged in" });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(UNANSWERED_TEXT);

    await harness.startDashboard();
    await page.locator(".conn", { hasText: "live" }).waitFor({ timeout: 20_000 });
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByLabel("Dashboard token").waitFor();
  }, 90_000);
});

describe("a stream that goes silent without closing", () => {
  it("is taken as lost after a few missed pings, said so, and replaced by a new one", async () => {
    const proxy = await startProxy();
    try {
      const harness = await startHarness({
        env: { DASHBOARD_ORIGINS: proxy.origin },
        options: { pingMs: 500 },
        watch: true,
      });
      proxy.target(harness.dashboard.port);
      await harness.writeStore([{ name: "alpha", status: "pending", description: "A todo app." }], 1);
      await harness.runtime.watcher.refresh();
      const page = await openPage();
      await page.goto(`${proxy.origin}/`);
      await page.waitForSelector('main[data-ready="yes"] [data-column="pending"] [data-slug="alpha"]');
      await page.evaluate("window.__sameDocument = true");
      await page.evaluate(`new MutationObserver(() => {
        if (document.querySelector('[data-connection="offline"]')) window.__offlineSeen = true;
      }).observe(document.body, { childList: true, subtree: true })`);

      // The open stream stops bringing anything (a dropped network path): no close, no error, just silence.
      proxy.freeze();
      expect((await harness.runtime.core.lifecycle.approve("alpha")).ok).toBe(true);
      await harness.runtime.watcher.refresh();
      await page.waitForSelector('[data-column="approved"] [data-slug="alpha"]', { timeout: 20_000 });
      expect(await page.evaluate("window.__offlineSeen === true")).toBe(true);
      await page.locator(".conn", { hasText: "live" }).waitFor();
      expect(await page.evaluate("window.__sameDocument")).toBe(true);
    } finally {
      await proxy.close();
    }
  }, 90_000);
});
