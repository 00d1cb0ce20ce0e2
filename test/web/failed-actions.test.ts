// Actions whose request fails, in a real Chromium: with planbot stopped (no answer at all) and with a
// store planbot cannot read (a 500 in planbot's words), a planning answer, an edit and an approval each say
// what went wrong and what to do, keep what was typed, show no success, and work once planbot is back.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { proposeRefused, saveDescriptionRefused } from "../helpers/dashboard-actions.ts";
import { startHarness, stopHarnesses } from "../http/harness.ts";
import { closeBrowser, expectFailedRequests, openPage, screenshot } from "./browser.ts";

afterEach(stopHarnesses);
afterAll(closeBrowser);

const UNANSWERED = /planbot did not answer: it may be stopped or restarting\. Try again once the header shows live\./;

describe("an action planbot does not answer", () => {
  it("says so, keeps what was typed, shows no success, and works once planbot is back", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore(
      [
        { name: "alpha", status: "pending", description: "A todo app." },
        { name: "beta", status: "pending", description: "A weather bot." },
      ],
      1,
    );
    expect((await harness.call("POST", "/api/projects/alpha/plan/start", { body: {} })).status).toBe(200);
    await harness.runtime.watcher.refresh();
    const page = await openPage();
    expectFailedRequests(page, [
      { method: "POST", path: "/api/projects/alpha/plan/respond", status: "network" },
      { method: "GET", path: "/api/projects/beta/plan/state", status: "network" },
      { method: "POST", path: "/api/projects/beta/edit", status: "network" },
      { method: "POST", path: "/api/projects/approve", status: "network" },
      // The stream's own tries while planbot is down: how many fit in depends on timing.
      { status: "network", path: /^\/api\/projects\/(stream|signature)/, optional: true },
    ]);
    await page.goto(`${harness.origin}/#/p/alpha`);
    await page.waitForSelector(".msg-planner");
    const answer = "Only me, on a phone, offline first.";
    await page.getByLabel("Your answer").fill(answer);

    await harness.stopDashboard();
    await page.locator('[data-connection="offline"]').waitFor({ timeout: 15_000 });
    await page.getByRole("button", { name: "Send" }).click();
    const chatAlert = page.locator('.chat [role="alert"]');
    await chatAlert.waitFor();
    // Without an answer it is unknown whether planbot took it (see the mid-turn test below).
    expect(await chatAlert.textContent()).toContain(
      "planbot did not answer, so it is not known whether your answer arrived. It is kept below",
    );
    expect(await page.getByLabel("Your answer").inputValue()).toBe(answer);
    expect(await page.locator(".thinking").count()).toBe(0);
    expect(await page.locator(".msg-user", { hasText: answer }).count()).toBe(0);

    // Another project's page, still offline: its conversation cannot be read, an edit and an approval fail.
    await page.evaluate("location.hash = '#/p/beta'");
    await page.locator('.chat [role="alert"]', { hasText: "The conversation could not be read" }).waitFor();
    // Unread, it is unknown whether a conversation is open: the page claims neither.
    expect(await page.locator(".chat").textContent()).not.toMatch(/Loading the conversation|No planning conversation/);
    expect(await page.getByRole("button", { name: "Start planning" }).count()).toBe(0);
    const editAlert = await saveDescriptionRefused(page, "A weather bot for the team chat.");
    expect(await editAlert.textContent()).toMatch(UNANSWERED);
    expect(await page.getByLabel("Description").inputValue()).toBe("A weather bot for the team chat.");
    expect(await page.locator(".edit-project .note").count()).toBe(0);
    await page.getByRole("button", { name: "Approve" }).click();
    const approveAlert = page.locator('.status-actions [role="alert"]');
    await approveAlert.waitFor();
    expect(await approveAlert.textContent()).toMatch(UNANSWERED);
    await screenshot(page, "actions-unanswered");

    // planbot is back: the page is live again without a reload, the read problem goes, the actions work.
    await harness.startDashboard();
    await page.locator(".conn", { hasText: "live" }).waitFor({ timeout: 20_000 });
    await page.locator('.chat [role="alert"]').waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Save" }).click();
    await page
      .locator('.edit-project [role="status"]', {
        hasText: "Description: A weather bot. → A weather bot for the team chat.",
      })
      .waitFor();
    await page.getByRole("button", { name: "Approve" }).click();
    await page.locator(".project-head .badge", { hasText: "approved" }).waitFor({ timeout: 15_000 });
    expect(await approveAlert.count()).toBe(0);

    // The answer typed on alpha's page is still there, and is sent now.
    await page.evaluate("location.hash = '#/p/alpha'");
    await page.waitForSelector(".msg-planner");
    expect(await page.getByLabel("Your answer").inputValue()).toBe(answer);
    await page.getByRole("button", { name: "Send" }).click();
    await page.locator(".msg-planner", { hasText: answer }).waitFor({ timeout: 20_000 });
    expect(await page.locator('.chat [role="alert"]').count()).toBe(0);
  }, 120_000);
});

describe("an action planbot refuses with a 500", () => {
  it("shows planbot's words for it, and no success", async () => {
    // The watcher never looks at the store by itself here, so no banner names the broken file: the refused
    // action is the only place that says it, and says it whole (with the banner up it points there instead:
    // store-broken-actions.test.ts).
    const harness = await startHarness({ watch: true, watcherDebounceMs: 600_000 });
    await harness.writeStore([{ name: "beta", status: "pending", description: "A weather bot." }], 1);
    await harness.runtime.watcher.refresh();
    const page = await openPage();
    expectFailedRequests(page, [{ method: "POST", path: "/api/projects/approve", status: 500 }]);
    await page.goto(`${harness.origin}/#/p/beta`);
    await page.waitForSelector('main[data-slug="beta"]');
    await page.getByText("No planning conversation is open.").waitFor();
    await writeFile(join(harness.dir, TASKS_FILE_NAME), "{ this is not json");
    await page.getByRole("button", { name: "Approve" }).click();
    const alert = page.locator('.status-actions [role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).toContain(TASKS_FILE_NAME);
    expect(await page.locator('[data-connection="error"]').count()).toBe(0);
    expect(await page.locator(".project-head .badge").textContent()).toBe("pending");
  }, 60_000);
});

/**
 * `alpha` in planning, its conversation open on a page that expects its answer (and, once planbot is gone, its
 * reads) to meet no planbot.
 */
async function alphaInPlanning() {
  const harness = await startHarness({ watch: true });
  await harness.writeStore([{ name: "alpha", status: "pending", description: "A todo app." }], 1);
  expect((await harness.call("POST", "/api/projects/alpha/plan/start", { body: {} })).status).toBe(200);
  await harness.runtime.watcher.refresh();
  const page = await openPage();
  expectFailedRequests(page, [
    { method: "POST", path: "/api/projects/alpha/plan/respond", status: "network" },
    { status: "network", path: /^\/api\/projects\/(stream|signature|alpha\/plan\/)/, optional: true },
  ]);
  await page.goto(`${harness.origin}/#/p/alpha`);
  await page.waitForSelector(".msg-planner");
  return { harness, page };
}

describe("an answer planbot took but could not reply to (it stopped mid-turn)", () => {
  it("is kept with a warning while unknown, and the copy and warning go once the conversation shows it arrived", async () => {
    const { harness, page } = await alphaInPlanning();
    // The fake planner takes 5 s over this answer: planbot stops while it thinks, and the turn goes on.
    const answer = "[[fake:slow=5000]] Only me, on a phone.";
    // The page must not learn that planbot took the answer before planbot goes away: the stream's "turn started"
    // would have it read the conversation, which then shows the answer arrived. Its reads fail from the moment it
    // sends, as they do once planbot is gone.
    const reads = /\/api\/projects\/alpha\/plan\/(state|transcript)$/;
    await page.route(reads, (route) => route.abort("connectionrefused"));
    await page.getByLabel("Your answer").fill(answer);
    await page.getByRole("button", { name: "Send" }).click();
    await page.waitForSelector(".thinking");
    await harness.stopDashboard();
    // The action's problem (a failed read of the conversation says so in an alert of its own).
    const alert = page.locator('.chat div[role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).toContain("it is not known whether your answer arrived");
    expect(await page.getByLabel("Your answer").inputValue()).toBe(answer);

    await page.unroute(reads);
    await harness.startDashboard();
    await page.locator(".msg-planner", { hasText: "Only me, on a phone." }).waitFor({ timeout: 30_000 });
    await alert.waitFor({ state: "detached" });
    await page.locator('.chat [role="alert"]').waitFor({ state: "detached" });
    expect(await page.getByLabel("Your answer").inputValue()).toBe("");
    expect(await page.locator(".msg-user", { hasText: "Only me, on a phone." }).count()).toBe(1);
  }, 90_000);
});

describe("Run and New project without an answer", () => {
  it("say so and keep the form; once planbot is back the same press works", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore([{ name: "gamma", status: "approved", description: "An invoice scanner." }], 1);
    await harness.writePrd("gamma", 2, 0);
    await harness.runtime.watcher.refresh();
    const page = await openPage();
    expectFailedRequests(page, [
      { method: "POST", path: "/api/projects/gamma/run", status: "network" },
      { method: "POST", path: "/api/projects/propose", status: "network" },
      { status: "network", path: /^\/api\/projects\/(stream|signature)/, optional: true },
    ]);
    await page.goto(`${harness.origin}/#/p/gamma/run`);
    await page.getByRole("button", { name: "Run", exact: true }).waitFor();
    // The tab's own reads (stories, log) are in before planbot goes away.
    await page.locator('.story[data-story="US-2"]').waitFor();
    await page.getByText("No run yet.").waitFor();
    await harness.stopDashboard();
    await page.locator('[data-connection="offline"]').waitFor({ timeout: 15_000 });
    await page.getByRole("button", { name: "Run", exact: true }).click();
    const runAlert = page.locator('.run-head [role="alert"]');
    await runAlert.waitFor();
    expect(await runAlert.textContent()).toMatch(UNANSWERED);
    expect(await page.locator('.run-head [role="status"]').count()).toBe(0);

    const proposeAlert = await proposeRefused(page, "delta", "A photo sorter.");
    expect(await proposeAlert.textContent()).toMatch(UNANSWERED);
    expect(await page.getByLabel("Slug").inputValue()).toBe("delta");
    expect(await page.getByLabel("What should it do?").inputValue()).toBe("A photo sorter.");

    await harness.startDashboard();
    await page.locator(".conn", { hasText: "live" }).waitFor({ timeout: 20_000 });
    await page.getByRole("button", { name: "Propose" }).click();
    await page.waitForURL(/#\/p\/delta$/);
    await page.waitForSelector('main[data-slug="delta"]', { timeout: 15_000 });
  }, 90_000);
});

describe("an answer typed while the planning session ends elsewhere", () => {
  it("stays on the page, editable, and is back in the composer once planning is open again", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore([{ name: "alpha", status: "pending", description: "A todo app." }], 1);
    expect((await harness.call("POST", "/api/projects/alpha/plan/start", { body: {} })).status).toBe(200);
    await harness.runtime.watcher.refresh();
    const page = await openPage();
    await page.goto(`${harness.origin}/#/p/alpha`);
    await page.waitForSelector(".msg-planner");
    const answer = "Only me, and it must sync between two phones.";
    await page.getByLabel("Your answer").fill(answer);

    // Stopped in another tab or a chat: the composer goes, the typed answer must not.
    expect((await harness.call("POST", "/api/projects/alpha/plan/cancel", { body: {} })).status).toBe(200);
    const unsent = page.getByLabel(/Your answer, not sent/);
    await unsent.waitFor({ timeout: 15_000 });
    expect(await unsent.inputValue()).toBe(answer);
    await screenshot(page, "chat-unsent-answer");

    await page.getByRole("button", { name: "Plan again" }).click();
    await page.getByLabel("Your answer", { exact: true }).waitFor({ timeout: 20_000 });
    expect(await page.getByLabel("Your answer", { exact: true }).inputValue()).toBe(answer);
    expect(await unsent.count()).toBe(0);
  }, 90_000);
});
