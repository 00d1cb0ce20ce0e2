/**
 * Dashboard actions a person takes in a real Chromium page (test/web/browser.ts) when the test expects
 * the action to be refused: each presses through the same controls a person would and resolves with the
 * alert the action's own form shows, once it is there, for the test to read.
 */
import type { Locator, Page } from "playwright-core";

/** On an open project page: Edit, the description replaced by `description`, Save; resolves with the edit form's alert. */
export async function saveDescriptionRefused(page: Page, description: string): Promise<Locator> {
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  await page.getByLabel("Description").fill(description);
  await page.getByRole("button", { name: "Save" }).click();
  const alert = page.locator('.edit-project form [role="alert"]');
  await alert.waitFor();
  return alert;
}

/**
 * From the project list (`#/`): New project, `slug` and `description` typed, planning right away unticked,
 * Propose; resolves with the propose form's alert.
 */
export async function proposeRefused(page: Page, slug: string, description: string): Promise<Locator> {
  await page.evaluate("location.hash = '#/'");
  await page.getByRole("button", { name: "New project" }).click();
  await page.getByLabel("Slug").fill(slug);
  await page.getByLabel("What should it do?").fill(description);
  await page.getByLabel("Start planning right away").uncheck();
  await page.getByRole("button", { name: "Propose" }).click();
  const alert = page.locator('form.propose [role="alert"]');
  await alert.waitFor();
  return alert;
}
