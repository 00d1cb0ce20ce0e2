// The project page's Edit form in a real Chromium over a real dashboard and store: a bad base branch is
// refused with the field marked and the rule named, a good one is saved and the page says old → new.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { startHarness, stopHarnesses } from "../http/harness.ts";
import { closeBrowser, expectFailedRequests, openPage, pageErrors, screenshot } from "./browser.ts";

afterEach(stopHarnesses);
afterAll(closeBrowser);

describe("editing a project from its page", () => {
  it("refuses a bad base with the field marked, then saves a good one and shows old → new", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore(
      [
        {
          name: "shop",
          status: "failed",
          description: "A shop",
          extra: {
            repo: "app",
            base_branch: "nosuch",
            error: 'base branch "nosuch" does not exist',
            error_fix: { error: 'base branch "nosuch" does not exist', field: "base" },
          },
        },
      ],
      3,
    );
    const page = await openPage();
    // The bad base is refused with a 400 naming the field.
    expectFailedRequests(page, [{ method: "POST", path: "/api/projects/shop/edit", status: 400 }]);
    await page.goto(`${harness.origin}/#/p/shop`);
    await page.waitForSelector('main.project-page[data-slug="shop"]');

    // The failed run's error names the field that fixes it, next to the Edit button.
    expect(await page.locator(".edit-project .fix-hint").textContent()).toBe(
      "The error above is fixed by setting its base branch: Edit.",
    );
    // What a save changed is said by a status that is there, empty, before the save, and stays the same element
    // while the form opens and closes: a live region added together with its words is often not read.
    const said = page.locator(".edit-project").getByRole("status");
    const region = await said.elementHandle();
    expect(await said.textContent()).toBe("");
    await page.getByRole("button", { name: "Edit", exact: true }).click();
    const base = page.getByLabel("Base branch");
    expect(await base.inputValue()).toBe("nosuch");
    expect(await page.getByLabel("Repository").inputValue()).toBe("app");
    await base.fill("a..b");
    await page.getByRole("button", { name: "Save" }).click();
    const alert = page.locator(".edit-project [role=alert]");
    await alert.waitFor();
    expect(await alert.textContent()).toBe(
      'base branch "a..b" is not a valid git branch name: it contains ".."; name the branch to start from, such as main.',
    );
    expect(await base.getAttribute("aria-invalid")).toBe("true");

    await base.fill("main");
    await page.getByLabel("Description").fill("A shop for tea");
    await page.getByRole("button", { name: "Save" }).click();
    const notes = page.locator(".edit-project .note");
    await notes.first().waitFor();
    expect(await notes.allInnerTexts()).toEqual(["Base branch: nosuch → main", "Description: A shop → A shop for tea"]);
    expect(await region?.evaluate((element: any) => element.isConnected)).toBe(true);
    expect(await said.textContent()).toBe("Base branch: nosuch → mainDescription: A shop → A shop for tea");
    await page.locator(".project-head .desc", { hasText: "A shop for tea" }).waitFor();
    await screenshot(page, "project-edited");

    const stored = JSON.parse(await readFile(join(harness.dir, TASKS_FILE_NAME), "utf8")) as {
      projects: Record<string, unknown>[];
    };
    expect(stored.projects[0]).toMatchObject({ base_branch: "main", description: "A shop for tea", repo: "app" });
    expect(pageErrors(page)).toEqual([]);
  });
});
