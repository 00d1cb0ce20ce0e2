import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startHarness, stopHarnesses } from "../http/harness.ts";
import { focused } from "./focused.ts";
import { closeBrowser, openPage } from "./browser.ts";

afterEach(stopHarnesses);
afterAll(closeBrowser);

describe("moving between pages by keyboard", () => {
  it("puts focus on the new page's heading and names the page in the title; a project's tabs keep theirs", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore([{ name: "shop", status: "approved", description: "A shop." }], 1);
    await harness.writePrd("shop", 2, 0);
    await harness.runtime.watcher.refresh();
    const page = await openPage({ phone: true });
    await page.goto(`${harness.origin}/`);
    await page.waitForSelector('main[data-ready="yes"] [data-slug="shop"]');
    // The first load moves nothing: the browser starts at the page's top as usual.
    expect(await focused(page)).toBe("nothing (the page)");
    expect(await page.title()).toBe("planbot");

    await page.locator('[data-slug="shop"] .card-link').focus();
    await page.keyboard.press("Enter");
    await page.waitForSelector('main.project-page[data-slug="shop"]');
    await expect.poll(() => focused(page), { timeout: 5_000 }).toBe("h1 shop approved");
    expect(await page.title()).toBe("shop · planbot");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("shop approved");
    // Tab goes on from the heading: back from it is the link just above it, not the page's last control.
    await page.keyboard.press("Shift+Tab");
    expect(await focused(page)).toBe("a ← Board");

    // A project's tabs are one page: the pressed tab keeps focus.
    await page.locator("nav.tabs").getByRole("link", { name: "Run" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Run", exact: true }).waitFor();
    expect(await focused(page)).toBe("a Run");

    await page.getByRole("link", { name: "← Board" }).focus();
    await page.keyboard.press("Enter");
    await page.waitForSelector('main.board-page [data-slug="shop"]');
    await expect.poll(() => focused(page), { timeout: 5_000 }).toBe("h1 Projects");
    // That heading is for a screen reader; a sighted keyboard user sees the ring on the board it heads instead.
    const boardRing = () => page.evaluate(`getComputedStyle(document.querySelector("main.board-page")).outlineStyle`);
    expect(await boardRing()).toBe("solid");
    expect(await page.title()).toBe("planbot");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Projects");
    await page.keyboard.press("Tab");
    expect(await focused(page)).toBe("input Search projects");
    expect(await boardRing()).toBe("none");
  }, 60_000);

  it("a project proposed by keyboard opens with focus on its heading, is never said not to exist while it arrives, and the answer box has focus after the planner's first turn", async () => {
    const harness = await startHarness({ watch: true, processEnv: { CLAUDE_FAKE_DELAY_MS: "600" } });
    const page = await openPage();
    // Every alert the page shows, however briefly: a screen reader reads each out at once.
    await page.addInitScript(`
      window.__alerts = [];
      new MutationObserver(() => {
        for (const alert of document.querySelectorAll('[role="alert"]')) window.__alerts.push(alert.textContent);
      }).observe(document, { childList: true, subtree: true, characterData: true });
    `);
    await page.goto(`${harness.origin}/`);
    await page.waitForSelector('main[data-ready="yes"]');
    await page.getByRole("button", { name: "New project" }).focus();
    await page.keyboard.press("Enter");
    await page.keyboard.type("todo-app");
    await page.getByLabel("What should it do?").fill("A todo app.");
    await page.getByLabel("What should it do?").press("Tab");
    await page.keyboard.press("Enter");
    await page.waitForURL(/#\/p\/todo-app/);
    await page.locator(".thinking").waitFor({ timeout: 10_000 });
    expect(await focused(page)).toMatch(/^h1 todo-app/);
    expect(await page.title()).toBe("todo-app · planbot");
    await page.locator(".thinking").waitFor({ state: "detached", timeout: 20_000 });
    await expect.poll(() => focused(page), { timeout: 5_000 }).toBe("textarea Your answer");
    expect(await page.evaluate("window.__alerts")).toEqual([]);
  }, 60_000);
});
