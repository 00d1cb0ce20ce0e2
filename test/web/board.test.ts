// The board in a real Chromium: projects in columns by state, search and filter, live updates from a
// change made with the CLI, and the same page at phone width and in dark mode.
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startHarness, stopHarnesses } from "../http/harness.ts";
import { closeBrowser, openPage, pageErrors, screenshot } from "./browser.ts";

const planbotBin = fileURLToPath(new URL("../../bin/planbot", import.meta.url));

afterEach(stopHarnesses);
afterAll(closeBrowser);

describe("the board", () => {
  it("groups projects by state, searches, filters, and follows a CLI change live", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore(
      [
        { name: "alpha", status: "pending", description: "A todo app with reminders." },
        {
          name: "beta",
          status: "approved",
          description: "A weather bot for the team chat.",
          extra: {
            pull_request: {
              url: "https://github.example/acme/beta/pull/7",
              number: 7,
              updated_at: "2026-01-03T00:00:00.000Z",
            },
          },
        },
        { name: "gamma", status: "planning", description: "Invoice scanner." },
        { name: "delta", status: "failed", description: "Photo sorter." },
        { name: "eps", status: "cancelled", description: "Old idea." },
      ],
      3,
    );
    await harness.writePrd("beta", 4, 1);
    await harness.runtime.watcher.refresh();
    const page = await openPage();
    await page.goto(harness.origin + "/");
    await page.waitForSelector('main[data-ready="yes"]');
    const column = (key: string) => page.locator(`[data-column="${key}"] .card-link`);
    expect(await column("pending").allTextContents()).toEqual(["alpha"]);
    expect(await column("approved").allTextContents()).toEqual(["beta"]);
    expect(await column("planning").allTextContents()).toEqual(["gamma"]);
    expect(await column("trouble").allTextContents()).toEqual(["delta"]);
    expect(await column("idle").allTextContents()).toEqual(["eps"]);
    // A cancelled project says so (issue 15), not "idle".
    expect(await page.locator('[data-slug="eps"] .badge').textContent()).toBe("cancelled");
    const beta = page.locator('[data-slug="beta"]');
    expect(await beta.locator("progress").getAttribute("value")).toBe("1");
    expect(await beta.locator("progress").getAttribute("max")).toBe("4");
    expect(await beta.textContent()).toContain("1/4");
    expect(await beta.textContent()).toContain("ralph/beta");
    // The delivered pull request is a link on the card and on the project's page.
    expect(await beta.locator("a.pr").getAttribute("href")).toBe("https://github.example/acme/beta/pull/7");
    expect(await beta.locator("a.pr").innerText()).toBe("PR #7");
    await screenshot(page, "board-light");

    // Search by words of the description; "/" focuses the search box from the keyboard.
    await page.keyboard.press("/");
    await page.keyboard.type("weather");
    await expect.poll(() => page.locator(".card").count(), { timeout: 15_000 }).toBe(1);
    await page.fill('input[type="search"]', "");
    await page.getByRole("button", { name: /^Failed \/ blocked/ }).click();
    await expect.poll(() => page.locator("section.column").count(), { timeout: 15_000 }).toBe(1);
    await page.getByRole("button", { name: /^All$/ }).click();

    // A change made with the CLI in another process shows up without a reload.
    const approved = await execa(planbotBin, ["projects", "approve", "alpha"], {
      env: { ...process.env, PLANBOT_DATA_DIR: harness.dir },
      reject: false,
    });
    expect(approved.exitCode, approved.stderr).toBe(0);
    await page.waitForSelector('[data-column="approved"] [data-slug="alpha"]', { timeout: 15_000 });
    expect(await column("pending").count()).toBe(0);
    expect(pageErrors(page)).toEqual([]);
  }, 90_000);

  it("an approved project whose last run was refused says why on its card and page, until it is approved again", async () => {
    const harness = await startHarness({ watch: true });
    const refusal = (slug: string) => ({
      at: "2026-01-04T03:00:00.000Z",
      message: `Ralph was not started: ${slug} has no plan: Ralph works from scripts/ralph/prd.json in the workspace and there is none. Fix: plan it first (/plan ${slug} in a chat, or the dashboard), then run it again`,
      worker: null,
      check: "plan",
    });
    await harness.writeStore(
      [
        {
          name: "kilo",
          status: "approved",
          description: "Refused last night.",
          extra: { run_refusal: refusal("kilo") },
        },
        // A refusal left on a cancelled project is old news: not shown.
        { name: "lima", status: "cancelled", description: "Gave up.", extra: { run_refusal: refusal("lima") } },
      ],
      1,
    );
    await harness.runtime.watcher.refresh();
    const page = await openPage();
    await page.goto(harness.origin + "/");
    await page.waitForSelector('main[data-ready="yes"] [data-slug="kilo"]');
    expect(await page.locator('[data-slug="kilo"] .refusal').textContent()).toBe(
      "Not started: kilo has no plan: Ralph works from scripts/ralph/prd.json in the workspace and there is none",
    );
    expect(await page.locator('[data-slug="lima"] .refusal').count()).toBe(0);
    await screenshot(page, "board-refusal");

    await page.locator('[data-slug="kilo"] .card-link').click();
    await page.waitForSelector('main.project-page[data-slug="kilo"]');
    const note = page.locator(".project-head .refusal");
    expect(await note.locator("p").nth(0).textContent()).toMatch(/^Not started .+: kilo has no plan: Ralph works from/);
    expect(await note.locator("p").nth(1).textContent()).toBe(
      "Fix: plan it first (/plan kilo in a chat, or the dashboard), then run it again",
    );
    await screenshot(page, "project-refusal");

    // Unapproved and approved again with the CLI (another process): the note goes, live.
    for (const action of ["unapprove", "approve"]) {
      const done = await execa(planbotBin, ["projects", action, "kilo"], {
        env: { ...process.env, PLANBOT_DATA_DIR: harness.dir },
        reject: false,
      });
      expect(done.exitCode, done.stderr).toBe(0);
    }
    await expect.poll(() => page.locator(".project-head .refusal").count(), { timeout: 15_000 }).toBe(0);
    expect(pageErrors(page)).toEqual([]);
  }, 90_000);

  it("reads well at phone width and in dark mode", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore(
      [
        {
          name: "alpha",
          status: "pending",
          description: "A todo app with reminders and a very long description that has to wrap on a phone screen.",
        },
        { name: "beta", status: "approved" },
      ],
      1,
    );
    await harness.writePrd("beta", 3, 2);
    await harness.runtime.watcher.refresh();
    for (const [scheme, phone, name] of [
      ["dark", false, "board-dark"],
      ["light", true, "board-phone"],
      ["dark", true, "board-phone-dark"],
    ] as const) {
      const page = await openPage({ scheme, phone });
      await page.goto(harness.origin + "/");
      await page.waitForSelector('main[data-ready="yes"] [data-slug="beta"]');
      // Nothing wider than the screen: no sideways scrolling on a phone.
      const overflow = (await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth",
      )) as number;
      expect(overflow).toBeLessThanOrEqual(0);
      const background = await page.evaluate("getComputedStyle(document.body).backgroundColor");
      expect(background).toBe(scheme === "dark" ? "rgb(20, 23, 27)" : "rgb(246, 247, 249)");
      await screenshot(page, name);
      expect(pageErrors(page)).toEqual([]);
    }
  }, 90_000);
});
