// A store that breaks while a dashboard page is open, in a real Chromium: the open page says at once, in a
// member's words, what is wrong and what to do (no reload, no reconnect), the broken file stays as it is, and the message goes — with
// the data current — once the file is readable again.
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { startHarness, stopHarnesses, type Harness } from "../http/harness.ts";
import { closeBrowser, expectFailedRequests, openPage, screenshot } from "./browser.ts";

afterEach(stopHarnesses);
afterAll(closeBrowser);

/** The banner for a store that does not parse, as a member reads it. */
const DAMAGED =
  "planbot cannot read its list of projects (approved-tasks.json): the file is damaged. Nothing is lost: planbot does not write over it, and changes wait until it is fixed. Please tell planbot's admin: only they can fix it, on the server planbot runs on, and planbot's log there says how. The projects show here again by themselves once it is fixed.";

/** Replaces the store whole (a temp file renamed over it), as an editor or another tool would. */
async function replaceStore(harness: Harness, text: string): Promise<void> {
  const path = join(harness.dir, TASKS_FILE_NAME);
  await writeFile(`${path}.edit`, text);
  await rename(`${path}.edit`, path);
}

/** A harness with one pending project, and a page on the board that shows it. */
async function boardWithBeta() {
  const harness = await startHarness({ watch: true });
  await harness.writeStore([{ name: "beta", status: "pending", description: "A weather bot." }], 1);
  await harness.runtime.watcher.refresh();
  const good = await readFile(join(harness.dir, TASKS_FILE_NAME), "utf8");
  const page = await openPage();
  return { harness, good, page };
}

describe("a store that breaks while a page is open", () => {
  it("is named on the open page at once, is not overwritten, and the message goes once the file is readable", async () => {
    const { harness, good, page } = await boardWithBeta();
    let streams = 0;
    page.on("request", (request) => {
      if (request.url().endsWith("/api/projects/stream")) streams += 1;
    });
    await page.goto(`${harness.origin}/`);
    await page.waitForSelector('main[data-ready="yes"] [data-column="pending"] [data-slug="beta"]');
    await page.evaluate("window.__sameDocument = true");

    await replaceStore(harness, "{ broken");
    const banner = page.locator('[data-connection="error"]');
    await banner.waitFor({ timeout: 10_000 });
    // The page's reader is a member, not the server's operator: what is wrong and what they can do, in their
    // words; the file's place on the server and how to fix it are for planbot's log.
    expect(await banner.textContent()).toBe(DAMAGED);
    expect(await page.locator("body").textContent()).not.toContain(harness.dir);
    // The same stream brought it: no reload, no reconnection, and planbot is not said to be gone.
    expect(streams).toBe(1);
    expect(await page.evaluate("window.__sameDocument")).toBe(true);
    expect(await page.locator('[data-connection="offline"]').count()).toBe(0);
    expect(await page.locator(".conn").textContent()).toBe("live");
    await screenshot(page, "store-broken-live");
    // Something done meanwhile is refused, and the broken file stays byte for byte.
    expect((await harness.runtime.core.lifecycle.approve("beta")).ok).toBe(false);
    expect(await readFile(join(harness.dir, TASKS_FILE_NAME), "utf8")).toBe("{ broken");

    // Fixed to exactly what it was: nothing changed, and still the message goes.
    await replaceStore(harness, good);
    await banner.waitFor({ state: "detached", timeout: 10_000 });
    expect(await page.locator('[data-column="pending"] [data-slug="beta"]').count()).toBe(1);

    // Broken again, then fixed with a change: the page shows the fixed file's data.
    await replaceStore(harness, "[]");
    await banner.waitFor({ timeout: 10_000 });
    await harness.writeStore([{ name: "beta", status: "approved", description: "A weather bot, fixed." }], 2);
    await page.waitForSelector('[data-column="approved"] [data-slug="beta"]', { timeout: 10_000 });
    await banner.waitFor({ state: "detached" });
    expect(await page.locator('[data-slug="beta"] .card-desc').textContent()).toBe("A weather bot, fixed.");
    expect(streams).toBe(1);
    expect(await page.evaluate("window.__sameDocument")).toBe(true);
    await page.locator(".conn", { hasText: "live" }).waitFor();
  }, 60_000);

  it("reads the same on a page loaded while it is broken: the header says live, the store's message says what is wrong", async () => {
    const { harness, good, page: open } = await boardWithBeta();
    await open.goto(`${harness.origin}/`);
    await open.waitForSelector('main[data-ready="yes"] [data-slug="beta"]');
    await replaceStore(harness, "{ broken");
    await open.locator('[data-connection="error"]').waitFor({ timeout: 10_000 });

    const fresh = await openPage();
    let streams = 0;
    fresh.on("response", (response) => {
      if (response.url().endsWith("/api/projects/stream") && response.status() === 200) streams += 1;
    });
    await fresh.goto(`${harness.origin}/`);
    const banner = fresh.locator('[data-connection="error"]');
    await banner.waitFor({ timeout: 10_000 });
    await fresh.locator(".conn", { hasText: "live" }).waitFor();
    await screenshot(fresh, "store-broken-fresh");
    for (const page of [open, fresh]) {
      expect(await page.locator(".conn").textContent()).toBe("live");
      expect(await page.locator('[data-connection="offline"]').count()).toBe(0);
      expect(await page.locator('[data-connection="error"]').textContent()).toBe(DAMAGED);
    }
    expect(await fresh.getByText("Loading projects…").count()).toBe(0);
    // No list has come yet: the board shows no empty columns or zero counts, as if there were no projects.
    expect(await fresh.locator("[data-column]").count()).toBe(0);
    expect(await fresh.getByRole("button", { name: "Pending", exact: true }).count()).toBe(1);
    expect(await fresh.locator('[data-waiting="store"]').textContent()).toBe(
      "The projects show here once planbot can read its project store again.",
    );
    // A project's page loaded now says the same, not a "Loading…" that never ends by itself.
    const project = await openPage();
    await project.goto(`${harness.origin}/#/p/beta`);
    await project.locator('[data-connection="error"]').waitFor({ timeout: 10_000 });
    expect(await project.locator('main [data-waiting="store"]').textContent()).toBe(
      "This project shows here once planbot can read its project store again.",
    );
    expect(await project.getByText("Loading…").count()).toBe(0);

    // Fixed: the fresh page gets the list on the stream it has, like the open one.
    await replaceStore(harness, good);
    await fresh.waitForSelector('main[data-ready="yes"] [data-column="pending"] [data-slug="beta"]', {
      timeout: 10_000,
    });
    await banner.waitFor({ state: "detached" });
    expect(streams).toBe(1);
    expect(await fresh.locator(".conn").textContent()).toBe("live");
    await project.waitForSelector('main[data-slug="beta"]', { timeout: 10_000 });
    expect(await project.locator('[data-waiting="store"]').count()).toBe(0);
  }, 60_000);

  it("agrees with the live channel when the store breaks and is fixed around the moment a page connects", async () => {
    // A debounce no test reaches: the watcher looks at the store only when the test refreshes it, so "broken
    // and fixed again within the debounce, while a page connects" happens in this order on every run.
    const harness = await startHarness({ watch: true, watcherDebounceMs: 600_000 });
    await harness.writeStore([{ name: "beta", status: "pending", description: "A weather bot." }], 1);
    await harness.runtime.watcher.refresh();
    const good = await readFile(join(harness.dir, TASKS_FILE_NAME), "utf8");
    const page = await openPage();
    let streams = 0;
    page.on("response", (response) => {
      if (response.url().endsWith("/api/projects/stream") && response.status() === 200) streams += 1;
    });

    // Broken, a page connects (its stream is open once the header says live), fixed; then the watcher looks.
    await replaceStore(harness, "{ broken");
    await page.goto(`${harness.origin}/`);
    await page.locator(".conn", { hasText: "live" }).waitFor({ timeout: 10_000 });
    await replaceStore(harness, good);
    await harness.runtime.watcher.refresh();
    // The watcher never saw the file broken, so nothing will ever say "readable again": the page must not
    // have started from a word the channel never said.
    await page.waitForSelector('main[data-ready="yes"] [data-column="pending"] [data-slug="beta"]', {
      timeout: 10_000,
    });
    const banner = page.locator('[data-connection="error"]');
    expect(await banner.count()).toBe(0);

    // Once the watcher sees it broken, the open page hears it; a page connecting after that starts from the
    // same word, even when the file was fixed meanwhile, and both hear the fix as soon as the watcher looks.
    await replaceStore(harness, "{ broken");
    await harness.runtime.watcher.refresh();
    await banner.waitFor({ timeout: 10_000 });
    await replaceStore(harness, good);
    const fresh = await openPage();
    await fresh.goto(`${harness.origin}/`);
    const freshBanner = fresh.locator('[data-connection="error"]');
    await freshBanner.waitFor({ timeout: 10_000 });
    expect(await freshBanner.textContent()).toBe(DAMAGED);
    await harness.runtime.watcher.refresh();
    for (const [shown, message] of [
      [page, banner],
      [fresh, freshBanner],
    ] as const) {
      await shown.waitForSelector('main[data-ready="yes"] [data-column="pending"] [data-slug="beta"]', {
        timeout: 10_000,
      });
      await message.waitFor({ state: "detached", timeout: 10_000 });
      expect(await shown.locator(".conn").textContent()).toBe("live");
    }
    expect(streams).toBe(1);
    expect(await readFile(join(harness.dir, TASKS_FILE_NAME), "utf8")).toBe(good);
  }, 60_000);

  it("says plainly that planbot cannot open the file when something else is in its place, and goes once it is back", async () => {
    const { harness, good, page } = await boardWithBeta();
    await page.goto(`${harness.origin}/`);
    await page.waitForSelector('main[data-ready="yes"] [data-column="pending"] [data-slug="beta"]');
    const path = join(harness.dir, TASKS_FILE_NAME);
    // A folder where the file belongs (EISDIR when read), which no permission bit can make readable, even as root.
    await rm(path);
    await mkdir(path);
    const banner = page.locator('[data-connection="error"]');
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.textContent()).toBe(
      "planbot cannot open its list of projects (approved-tasks.json) on the server. Nothing is lost: planbot does not write over it, and changes wait until it is fixed. Please tell planbot's admin: only they can fix it, on the server planbot runs on, and planbot's log there says how. The projects show here again by themselves once it is fixed.",
    );
    expect(await page.locator("body").textContent()).not.toContain(harness.dir);
    expect(await page.locator(".conn").textContent()).toBe("live");

    // Between the two steps there is no store at all, which reads as no projects: the page may show that first.
    await rm(path, { recursive: true });
    await replaceStore(harness, good);
    await page.waitForSelector('[data-column="pending"] [data-slug="beta"]', { timeout: 10_000 });
    await banner.waitFor({ state: "detached", timeout: 10_000 });
  }, 60_000);

  it("does not hide planbot going away afterwards: the page still says it is not answering", async () => {
    const { harness, page } = await boardWithBeta();
    expectFailedRequests(page, [{ status: "network", path: /^\/api\/projects\/(stream|signature)/, optional: true }]);
    await page.goto(`${harness.origin}/`);
    await page.waitForSelector('main[data-ready="yes"] [data-slug="beta"]');
    await replaceStore(harness, "{ broken");
    await page.locator('[data-connection="error"]').waitFor({ timeout: 10_000 });

    await harness.stopDashboard();
    await page.locator('[data-connection="offline"]').waitFor({ timeout: 15_000 });
    expect(await page.locator(".conn").textContent()).toBe("offline");
  }, 60_000);
});
