// The Edit and New project forms across a reload, in a real Chromium: what was typed and not sent comes back
// (per form and per project) with a note and a way to discard it; a refused submit keeps it, a successful one
// clears it, and closing the form drops it. It also comes back after logging in again once the token changed.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { startHarness, stopHarnesses } from "../http/harness.ts";
import { closeBrowser, expectFailedRequests, openPage, screenshot } from "./browser.ts";

afterEach(stopHarnesses);
afterAll(closeBrowser);

const NOTE = ".draft-note";

/** The values of the labelled fields of a form, by label. */
async function fields(page: Page, form: string, labels: string[]): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const label of labels) values[label] = await page.locator(form).getByLabel(label, { exact: true }).inputValue();
  return values;
}

describe("the New project form", () => {
  it("comes back after a reload as typed, also after a refused submit, and is clean after a successful one", async () => {
    const harness = await startHarness({ watch: true });
    const page = await openPage();
    expectFailedRequests(page, [{ method: "POST", path: "/api/projects/propose", status: 400 }]);
    await page.goto(`${harness.origin}/`);
    await page.waitForSelector('main[data-ready="yes"]');
    await page.getByRole("button", { name: "New project" }).click();
    const form = 'form[aria-label="New project"]';
    await page.getByLabel("Slug").fill("My Notes");
    await page.getByLabel("What should it do?").fill("A notes app that syncs.");
    await page.getByLabel("Repository").fill("notes-repo");
    await page.getByLabel("Start planning right away").uncheck();
    expect(await page.locator(NOTE).count()).toBe(0);

    await page.reload();
    await page.locator(form).waitFor();
    const typed = {
      Slug: "My Notes",
      "What should it do?": "A notes app that syncs.",
      Repository: "notes-repo",
      Branch: "",
      "Base branch": "",
    };
    expect(await fields(page, form, Object.keys(typed))).toEqual(typed);
    expect(await page.getByLabel("Start planning right away").isChecked()).toBe(false);
    expect(await page.locator(NOTE).textContent()).toContain("An unsent draft was restored");
    await screenshot(page, "form-draft-restored");

    // Refused (the slug is not valid): what was typed stays, across another reload too.
    await page.getByRole("button", { name: "Propose" }).click();
    await page.locator(`${form} [role=alert]`).waitFor();
    await page.reload();
    await page.locator(form).waitFor();
    expect(await fields(page, form, Object.keys(typed))).toEqual(typed);

    await page.getByLabel("Slug").fill("notes");
    await page.getByRole("button", { name: "Propose" }).click();
    await page.waitForURL(/#\/p\/notes$/);
    await page.waitForSelector('main.project-page[data-slug="notes"]');
    const stored = JSON.parse(await readFile(join(harness.dir, TASKS_FILE_NAME), "utf8")) as {
      projects: Record<string, unknown>[];
    };
    expect(stored.projects[0]).toMatchObject({ name: "notes", repo: "notes-repo", status: "pending" });

    await page.goto(`${harness.origin}/#/`);
    await page.reload();
    await page.waitForSelector('main[data-ready="yes"] [data-slug="notes"]');
    expect(await page.locator(form).count()).toBe(0);
    await page.getByRole("button", { name: "New project" }).click();
    expect(await fields(page, form, ["Slug", "What should it do?", "Repository"])).toEqual({
      Slug: "",
      "What should it do?": "",
      Repository: "",
    });
    expect(await page.getByLabel("Start planning right away").isChecked()).toBe(true);
    expect(await page.locator(NOTE).count()).toBe(0);
  }, 60_000);

  it("drops a restored draft on Discard draft, and a closed form keeps nothing", async () => {
    const harness = await startHarness({ watch: true });
    const page = await openPage();
    await page.goto(`${harness.origin}/`);
    await page.waitForSelector('main[data-ready="yes"]');
    const form = 'form[aria-label="New project"]';
    await page.getByRole("button", { name: "New project" }).click();
    await page.getByLabel("Slug").fill("scratch");
    await page.reload();
    await page.locator(NOTE).waitFor();
    await page.getByRole("button", { name: "Discard draft" }).click();
    expect(await page.getByLabel("Slug").inputValue()).toBe("");
    expect(await page.locator(NOTE).count()).toBe(0);
    await page.reload();
    await page.waitForSelector('main[data-ready="yes"]');
    expect(await page.locator(form).count()).toBe(0);

    await page.getByRole("button", { name: "New project" }).click();
    await page.getByLabel("Slug").fill("scratch");
    await page.locator(form).getByRole("button", { name: "Close" }).click();
    await page.reload();
    await page.waitForSelector('main[data-ready="yes"]');
    expect(await page.locator(form).count()).toBe(0);
  }, 60_000);
});

describe("the Edit form", () => {
  it("comes back after a reload per project, also after a refused save, and is clean after a successful one", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore(
      [
        { name: "shop", status: "pending", description: "A shop", extra: { repo: "app", base_branch: "main" } },
        { name: "blog", status: "pending", description: "A blog" },
      ],
      2,
    );
    await harness.runtime.watcher.refresh();
    const page = await openPage();
    expectFailedRequests(page, [{ method: "POST", path: "/api/projects/shop/edit", status: 400 }]);
    await page.goto(`${harness.origin}/#/p/shop`);
    await page.waitForSelector('main.project-page[data-slug="shop"]');
    const form = 'form[aria-label="Edit project"]';
    const labels = ["Description", "Repository", "Branch", "Base branch"];
    await page.getByRole("button", { name: "Edit", exact: true }).click();
    await page.getByLabel("Description").fill("A shop for tea");
    await page.getByLabel("Base branch").fill("a..b");

    await page.reload();
    await page.locator(form).waitFor();
    const typed = { Description: "A shop for tea", Repository: "app", Branch: "", "Base branch": "a..b" };
    expect(await fields(page, form, labels)).toEqual(typed);
    expect(await page.locator(`${form} ${NOTE}`).textContent()).toContain("An unsent draft was restored");

    // Refused (not a branch name): kept across another reload.
    await page.locator(form).getByRole("button", { name: "Save" }).click();
    await page.locator(`${form} [role=alert]`).waitFor();
    await page.reload();
    await page.locator(form).waitFor();
    expect(await fields(page, form, labels)).toEqual(typed);

    // Another project's page has no draft of its own: its Edit form is closed, and opens with its own values.
    await page.goto(`${harness.origin}/#/p/blog`);
    await page.waitForSelector('main.project-page[data-slug="blog"]');
    expect(await page.locator(form).count()).toBe(0);
    await page.getByRole("button", { name: "Edit", exact: true }).click();
    expect(await page.getByLabel("Description").inputValue()).toBe("A blog");
    expect(await page.locator(NOTE).count()).toBe(0);

    await page.goto(`${harness.origin}/#/p/shop`);
    await page.locator(form).waitFor();
    expect(await fields(page, form, labels)).toEqual(typed);
    await page.getByLabel("Base branch").fill("develop");
    await page.locator(form).getByRole("button", { name: "Save" }).click();
    await page.locator(".edit-project .note").first().waitFor();
    await page.reload();
    await page.locator(".project-head .desc", { hasText: "A shop for tea" }).waitFor();
    expect(await page.locator(form).count()).toBe(0);
    await page.getByRole("button", { name: "Edit", exact: true }).click();
    expect(await fields(page, form, labels)).toEqual({
      Description: "A shop for tea",
      Repository: "app",
      Branch: "",
      "Base branch": "develop",
    });
    expect(await page.locator(NOTE).count()).toBe(0);
  }, 60_000);

  it("drops a restored draft on Discard draft (back to the project's values), and Close keeps nothing", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore([{ name: "shop", status: "pending", description: "A shop" }], 1);
    await harness.runtime.watcher.refresh();
    const page = await openPage();
    await page.goto(`${harness.origin}/#/p/shop`);
    await page.waitForSelector('main.project-page[data-slug="shop"]');
    const form = 'form[aria-label="Edit project"]';
    await page.getByRole("button", { name: "Edit", exact: true }).click();
    await page.getByLabel("Description").fill("Something else");
    await page.reload();
    await page.locator(NOTE).waitFor();
    await page.getByRole("button", { name: "Discard draft" }).click();
    expect(await page.getByLabel("Description").inputValue()).toBe("A shop");
    expect(await page.locator(NOTE).count()).toBe(0);
    await page.reload();
    await page.waitForSelector('main.project-page[data-slug="shop"]');
    expect(await page.locator(form).count()).toBe(0);

    await page.getByRole("button", { name: "Edit", exact: true }).click();
    await page.getByLabel("Description").fill("Something else");
    await page.locator(form).getByRole("button", { name: "Close" }).click();
    await page.reload();
    await page.waitForSelector('main.project-page[data-slug="shop"]');
    expect(await page.locator(form).count()).toBe(0);
  }, 60_000);
});

describe("a form typed into when the session ends", () => {
  it("comes back after logging in again (the logged-out note says it is kept)", async () => {
    const before = "draft-token-0123456789abcdef-zyxw";
    const after = "draft-token-9876543210fedcba-qrst";
    const harness = await startHarness({ env: { DASHBOARD_TOKEN: before }, watch: true });
    const page = await openPage();
    expectFailedRequests(page, [
      { method: "GET", path: "/", status: 401 },
      { method: "GET", path: "/api/projects/stream", status: 401 },
      { method: "GET", path: "/api/projects/signature", status: 401 },
      { status: "network", path: /^\/api\/projects\/(stream|signature)/, optional: true },
    ]);
    await page.goto(`${harness.origin}/`);
    await page.getByLabel("Dashboard token").fill(before);
    await page.keyboard.press("Enter");
    await page.waitForSelector('main[data-ready="yes"]');
    await page.getByRole("button", { name: "New project" }).click();
    await page.getByLabel("Slug").fill("late-idea");
    await page.getByLabel("What should it do?").fill("Typed just before the token changed.");

    await harness.stopDashboard();
    await harness.startDashboard({ token: after });
    const note = page.locator('[data-connection="logged-out"]');
    await note.waitFor({ timeout: 20_000 });
    expect(await note.textContent()).toContain("an Edit or New project form) is kept");
    await page.getByRole("button", { name: "Log in again" }).click();
    await page.getByLabel("Dashboard token").fill(after);
    await page.keyboard.press("Enter");
    await page.waitForSelector('main[data-ready="yes"]');
    await page.locator(NOTE).waitFor();
    expect(await page.getByLabel("Slug").inputValue()).toBe("late-idea");
    expect(await page.getByLabel("What should it do?").inputValue()).toBe("Typed just before the token changed.");
  }, 60_000);
});
