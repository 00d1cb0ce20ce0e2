// The dashboard by keyboard alone, in a real Chromium: an action never leaves focus on the page's top (where a
// keyboard user would have to Tab through everything again), and Escape closes what a click on Close does.
import type { Page } from "playwright-core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { fakeRalphPath } from "../fakes/paths.ts";
import { startHarness, stopHarnesses } from "../http/harness.ts";
import { closeBrowser, expectFailedRequests, openPage } from "./browser.ts";
import { focused } from "./focused.ts";

afterEach(stopHarnesses);
afterAll(closeBrowser);

/** The questions confirm() asked on `page` (openPage answers every one yes). */
function confirmations(page: Page): string[] {
  const asked: string[] = [];
  page.on("dialog", (dialog) => void asked.push(dialog.message()));
  return asked;
}

describe("by keyboard", () => {
  it("the Edit form takes the cursor when opened, closes on Escape, and gives focus back to Edit", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore([{ name: "shop", status: "failed", description: "A shop" }], 1);
    const page = await openPage();
    const asked = confirmations(page);
    await page.goto(`${harness.origin}/#/p/shop`);
    await page.waitForSelector('main.project-page[data-slug="shop"]');
    const edit = page.getByRole("button", { name: "Edit", exact: true });
    const form = page.getByRole("form", { name: "Edit project" });

    await edit.focus();
    await page.keyboard.press("Enter");
    await form.waitFor();
    await expect.poll(() => focused(page), { timeout: 5_000 }).toMatch(/^textarea Description/);
    // Nothing typed: Escape closes at once, and focus is back where it was.
    await page.keyboard.press("Escape");
    await form.waitFor({ state: "detached" });
    await expect.poll(() => focused(page), { timeout: 5_000 }).toBe("button Edit");
    expect(asked).toEqual([]);

    // Something typed: Escape asks before it drops it.
    await page.keyboard.press("Enter");
    await form.waitFor();
    await page.keyboard.type(" for tea");
    await page.keyboard.press("Escape");
    await form.waitFor({ state: "detached" });
    expect(asked).toEqual(["Close this form? What you typed and did not send is dropped."]);
    await expect.poll(() => focused(page), { timeout: 5_000 }).toBe("button Edit");
    expect(await page.evaluate("sessionStorage.length")).toBe(0);

    // Saved from the keyboard: the changes are said, and focus is on Edit again.
    await page.keyboard.press("Enter");
    await form.waitFor();
    await page.keyboard.type(" for tea");
    await page.keyboard.press("Tab");
    await page.keyboard.type("shop-repo");
    await page.keyboard.press("Enter");
    await form.waitFor({ state: "detached" });
    expect(await page.locator(".edit-project .note").filter({ hasText: "Description" }).innerText()).toBe(
      "Description: A shop → A shop for tea",
    );
    await expect.poll(() => focused(page), { timeout: 5_000 }).toBe("button Edit");
  }, 60_000);

  it("the New project form takes the cursor when opened, closes on Escape, and gives focus back to New project", async () => {
    const harness = await startHarness();
    const page = await openPage({ phone: true });
    const asked = confirmations(page);
    await page.goto(`${harness.origin}/`);
    await page.waitForSelector('main[data-ready="yes"]');
    const form = page.getByRole("form", { name: "New project" });

    await page.getByRole("button", { name: "New project" }).focus();
    await page.keyboard.press("Enter");
    await form.waitFor();
    await expect.poll(() => focused(page), { timeout: 5_000 }).toBe("input Slug");
    await page.keyboard.press("Escape");
    await form.waitFor({ state: "detached" });
    await expect.poll(() => focused(page), { timeout: 5_000 }).toBe("button New project");

    await page.keyboard.press("Enter");
    await form.waitFor();
    await page.keyboard.type("todo-app");
    await page.keyboard.press("Escape");
    await form.waitFor({ state: "detached" });
    expect(asked).toEqual(["Close this form? What you typed and did not send is dropped."]);
    await expect.poll(() => focused(page), { timeout: 5_000 }).toBe("button New project");
    expect(await page.evaluate("sessionStorage.length")).toBe(0);
  }, 60_000);

  it("the conversation keeps the cursor in the answer box through a planner turn, however it was started", async () => {
    const harness = await startHarness({ watch: true, processEnv: { CLAUDE_FAKE_DELAY_MS: "600" } });
    await harness.writeStore([{ name: "todo", status: "pending", description: "A todo app." }], 1);
    const page = await openPage({ phone: true });
    await page.goto(`${harness.origin}/#/p/todo`);
    const thinking = page.locator(".thinking");
    const turnDone = () => thinking.waitFor({ state: "detached", timeout: 20_000 });

    // Start planning is replaced by the composer: the cursor lands in the answer box, not on the page.
    await page.getByRole("button", { name: "Start planning" }).focus();
    await page.keyboard.press("Enter");
    await thinking.waitFor();
    await turnDone();
    await expect.poll(() => focused(page), { timeout: 5_000 }).toBe("textarea Your answer");

    // Sent with Send, as on a phone (where Enter breaks the line): the box stays focused, so the on-screen
    // keyboard stays up, while the planner thinks, and after.
    await page.keyboard.type("Web only.");
    await page.getByRole("button", { name: "Send" }).tap();
    await thinking.waitFor();
    await expect.poll(() => focused(page), { timeout: 5_000 }).toBe("textarea Your answer");
    await turnDone();
    await expect.poll(() => focused(page), { timeout: 5_000 }).toBe("textarea Your answer");

    // Next phase is disabled during its turn: focus comes back to the answer box, not to the page's top.
    await page.getByRole("button", { name: "Next phase" }).focus();
    await page.keyboard.press("Enter");
    await thinking.waitFor();
    await turnDone();
    await page.waitForSelector('.phase strong:text("Design")');
    await expect.poll(() => focused(page), { timeout: 5_000 }).toBe("textarea Your answer");
  }, 60_000);

  it("a status change says what it did, and focus stays there when the pressed button goes", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore([{ name: "shop", status: "approved", description: "A shop" }], 1);
    await harness.writePrd("shop", 3, 1);
    await harness.runtime.watcher.refresh();
    const page = await openPage({ phone: true });
    await page.goto(`${harness.origin}/#/p/shop`);
    await page.waitForSelector('main.project-page[data-slug="shop"]');

    // The status line is there, empty, before anything is done: a screen reader reads what is written into it.
    const region = await page.locator(".status-actions [role=status]").elementHandle();
    expect(await region?.textContent()).toBe("");
    await page.getByRole("button", { name: "Unapprove" }).focus();
    await page.keyboard.press("Enter");
    const said = page.getByRole("status").filter({ hasText: "Unapproved" });
    await said.waitFor();
    expect(await region?.textContent()).toBe("Unapproved shop: it is pending again.");
    expect(await said.innerText()).toBe("Unapproved shop: it is pending again.");
    expect(await page.locator(".project-head .badge").innerText()).toBe("pending");
    await expect.poll(() => focused(page), { timeout: 5_000 }).toBe("p Unapproved shop: it is pending again.");
    // From there the keyboard goes on through the page, not from its top.
    await page.keyboard.press("Tab");
    await expect.poll(() => focused(page), { timeout: 5_000 }).toBe("button Edit");

    await page.getByRole("button", { name: "Approve" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("status").filter({ hasText: "Approved shop." }).waitFor();
    expect(await page.getByRole("status").filter({ hasText: "Unapproved" }).count()).toBe(0);
  }, 60_000);

  it("Run on the run tab says it started Ralph, and focus goes there when the Run button goes, then to how it ended", async () => {
    const harness = await startHarness({
      watch: true,
      env: { RALPH_COMMAND: `${fakeRalphPath} --tool claude 10` },
      processEnv: { FAKE_RALPH_DELAY_MS: "800" },
    });
    // Stop (not detach) Ralph when the test ends, so no run outlives it.
    harness.runtime.onStop(() => harness.runtime.executor.stop());
    await harness.writeStore([{ name: "shop", status: "approved", description: "A shop" }], 1);
    await harness.writePrd("shop", 2, 0);
    await harness.runtime.watcher.refresh();
    const page = await openPage({ phone: true });
    await page.goto(`${harness.origin}/#/p/shop/run`);

    await page.getByRole("button", { name: "Run", exact: true }).focus();
    await page.keyboard.press("Enter");
    const said = page.locator(".run-head").getByRole("status");
    await said.waitFor();
    await expect.poll(() => focused(page), { timeout: 5_000 }).toBe(`p ${await said.innerText()}`);
    // The run ends and its "Started" note goes: focus moves to the line saying how it ended.
    await page.waitForSelector('.project-head .badge:text("done")', { timeout: 30_000 });
    await said.waitFor({ state: "detached" });
    await expect.poll(() => focused(page), { timeout: 5_000 }).toMatch(/^p Status: done/);
  }, 60_000);

  it("a save refused for a field puts the cursor in that field", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore([{ name: "shop", status: "failed", description: "A shop" }], 1);
    const page = await openPage();
    expectFailedRequests(page, [{ method: "POST", path: "/api/projects/shop/edit", status: 400 }]);
    await page.goto(`${harness.origin}/#/p/shop`);
    await page.getByRole("button", { name: "Edit", exact: true }).click();
    await page.getByLabel("Base branch").fill("a..b");
    await page.getByRole("button", { name: "Save" }).focus();
    await page.keyboard.press("Enter");
    await page.locator(".edit-project [role=alert]").waitFor();
    await expect.poll(() => focused(page), { timeout: 5_000 }).toBe("input Base branch");
  }, 60_000);

  it("a search or filter on the board says how many projects it shows, for a screen reader", async () => {
    const harness = await startHarness();
    await harness.writeStore(
      [
        { name: "alpha", status: "pending", description: "A todo app with reminders." },
        { name: "beta", status: "pending", description: "A weather bot." },
        { name: "gamma", status: "failed", description: "A weather station." },
      ],
      1,
    );
    const page = await openPage({ phone: true });
    await page.goto(`${harness.origin}/`);
    await page.waitForSelector('main[data-ready="yes"] [data-slug="gamma"]');
    const shown = page.getByRole("status").and(page.getByTestId("shown"));
    expect(await shown.textContent()).toBe("");

    await page.keyboard.press("/");
    await page.keyboard.type("weather");
    await expect.poll(() => shown.textContent(), { timeout: 15_000 }).toBe("2 projects shown");
    await page.getByRole("button", { name: /^Failed \/ blocked/ }).click();
    await expect.poll(() => shown.textContent(), { timeout: 15_000 }).toBe("1 project shown");
    await page.getByRole("button", { name: /^All$/ }).click();
    await page.getByRole("searchbox").fill("");
    await expect.poll(() => shown.textContent(), { timeout: 15_000 }).toBe("");
  }, 60_000);

  it("Show all on a long column moves focus to the first card it brought", async () => {
    const harness = await startHarness();
    const many = Array.from({ length: 33 }, (_, index) => ({ name: `idea-${index + 1}`, status: "pending" }));
    await harness.writeStore(many, 1);
    const page = await openPage({ phone: true });
    await page.goto(`${harness.origin}/`);
    await page.waitForSelector('main[data-ready="yes"] [data-column="pending"] .card');
    const cards = page.locator('[data-column="pending"] .card-link');
    expect(await cards.count()).toBe(30);
    await page.getByRole("button", { name: "Show all 33" }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => cards.count(), { timeout: 15_000 }).toBe(33);
    const first = `a ${await cards.nth(30).innerText()}`;
    await expect.poll(() => focused(page), { timeout: 5_000 }).toBe(first);
  }, 60_000);

  it("Discard draft puts the cursor in the form's first field, as its note and button go", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore([{ name: "shop", status: "pending", description: "A shop" }], 1);
    const page = await openPage({ phone: true });
    await page.goto(`${harness.origin}/#/p/shop`);
    await page.getByRole("button", { name: "Edit", exact: true }).click();
    await page.getByLabel("Description").fill("Something else");
    await page.goto(`${harness.origin}/`);
    await page.getByRole("button", { name: "New project" }).click();
    await page.getByLabel("Slug").fill("todo-app");
    await page.reload();
    // Both forms come back open with their drafts; Discard draft from the keyboard in each.
    await page.getByRole("button", { name: "Discard draft" }).focus();
    await page.keyboard.press("Enter");
    expect(await page.getByLabel("Slug").inputValue()).toBe("");
    await expect.poll(() => focused(page), { timeout: 5_000 }).toBe("input Slug");

    await page.goto(`${harness.origin}/#/p/shop`);
    await page.getByRole("button", { name: "Discard draft" }).focus();
    await page.keyboard.press("Enter");
    expect(await page.getByLabel("Description").inputValue()).toBe("A shop");
    await expect.poll(() => focused(page), { timeout: 5_000 }).toBe("textarea Description");
  }, 60_000);

  it("opening a conversation does not read it all out; what is said from then on is", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore([{ name: "todo", status: "pending", description: "A todo app." }], 1);
    const page = await openPage();
    // For each message added to the conversation: its list's aria-live at that moment.
    await page.addInitScript(`
      window.__added = [];
      new MutationObserver((records) => {
        for (const record of records)
          for (const node of record.addedNodes)
            if (node.nodeType === 1 && node.classList.contains("msg") && record.target.classList.contains("messages"))
              window.__added.push(record.target.getAttribute("aria-live") + " " + node.className);
      }).observe(document, { childList: true, subtree: true });
    `);
    await page.goto(`${harness.origin}/#/p/todo`);
    await page.getByRole("button", { name: "Start planning" }).click();
    await page.waitForSelector("#composer-text");
    await page.waitForSelector(".thinking", { state: "detached", timeout: 20_000 });

    await page.reload();
    await page.waitForSelector(".msg-planner");
    expect(await page.evaluate("window.__added")).toEqual(["off msg msg-user", "off msg msg-planner"]);
    await page.getByLabel("Your answer").fill("Web only.");
    await page.keyboard.press("Enter");
    await page.locator(".msg-planner").nth(1).waitFor({ timeout: 20_000 });
    await page.waitForSelector(".thinking", { state: "detached", timeout: 20_000 });
    const added = (await page.evaluate("window.__added")) as string[];
    expect(added.slice(2).every((entry) => entry.startsWith("polite "))).toBe(true);
    expect(added.slice(2)).toContain("polite msg msg-planner");
  }, 60_000);
});
