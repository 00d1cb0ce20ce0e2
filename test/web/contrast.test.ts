// Every dashboard view, light and dark, measured as Chromium draws it (WCAG 2): each visible text against its
// background (1.4.3: 4.5:1, 3:1 for large text), each control's border and each focus ring against what is
// around it (1.4.11: 3:1). A failure names the view, the scheme and the element.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { fakeRalphPath } from "../fakes/paths.ts";
import { startHarness, stopHarnesses, type Harness } from "../http/harness.ts";
import { closeBrowser, expectFailedRequests, openPage } from "./browser.ts";
import { auditContrast, auditFocusRings } from "./contrast.ts";

afterEach(stopHarnesses);
afterAll(closeBrowser);

const SCHEMES = ["light", "dark"] as const;

/** A refusal as the preflight records it on an approved project. */
const refusal = {
  at: "2026-01-04T03:00:00.000Z",
  message:
    "Ralph was not started: kilo has no plan: Ralph works from scripts/ralph/prd.json. Fix: plan it first, then run it again",
  worker: null,
  check: "plan",
};

/** A board with a project in every column, stories, a pull request, a refusal and a failed run's reason. */
async function everyState(): Promise<Harness> {
  const harness = await startHarness({ watch: true });
  await harness.writeStore(
    [
      { name: "alpha", status: "pending", description: "A todo app." },
      { name: "beta", status: "planning", description: "A weather bot." },
      {
        name: "gamma",
        status: "approved",
        description: "An invoice scanner.",
        extra: { repo: "acme/invoices", branch: "feat/scan" },
      },
      { name: "kilo", status: "approved", description: "Refused last night.", extra: { run_refusal: refusal } },
      {
        name: "delta",
        status: "complete",
        description: "A photo sorter.",
        extra: {
          pull_request: {
            url: "https://github.com/acme/delta/pull/7",
            number: 7,
            updated_at: "2026-01-05T00:00:00.000Z",
          },
        },
      },
      {
        name: "eps",
        status: "failed",
        description: "A failed one.",
        extra: {
          error: "Ralph stopped after 3 iterations: tests failed.\n--- last lines ---\nFAIL test/a.test.ts\n",
        },
      },
      { name: "zeta", status: "blocked", description: "A blocked one." },
      { name: "lima", status: "cancelled", description: "Gave up." },
    ],
    1,
  );
  await harness.writePrd("gamma", 4, 1);
  await harness.writePrd("eps", 3, 1);
  await writeFile(
    workspacePaths(harness.runtime.config.workspaceDir, "gamma").finalPlan,
    "# Plan for gamma\n\nScan **invoices** with `tesseract`.\n\n```sh\nnpm test\n```\n\n| Step | Who |\n|---|---|\n| scan | Ralph |\n\n[docs](https://example.com)\n",
  );
  await harness.runtime.watcher.refresh();
  return harness;
}

/** Audits the page's text and controls, and, when `keyboard`, tabs through it measuring the focus rings. */
async function audit(page: Page, view: string, keyboard = false): Promise<string[]> {
  const measured = await auditContrast(page, view);
  // Something was measured: an audit of an empty page proves nothing.
  expect(measured.checked, view).toBeGreaterThan(3);
  if (!keyboard) return measured.failures;
  const rings = await auditFocusRings(page, view);
  expect(rings.checked, `${view}: focusable elements`).toBeGreaterThan(0);
  return [...measured.failures, ...rings.failures];
}

describe.each(SCHEMES)("contrast in the %s colour scheme", (scheme) => {
  it("the board: every column, the filters, search, the New project form and its problems", async () => {
    const harness = await everyState();
    const page = await openPage({ scheme });
    await page.goto(`${harness.origin}/`);
    await page.waitForSelector('main[data-ready="yes"] [data-slug="lima"]');
    const failures = await audit(page, `${scheme} board`, true);

    await page.getByRole("button", { name: /^Failed \/ blocked/ }).click();
    await page.waitForSelector('[data-slug="eps"]');
    failures.push(...(await audit(page, `${scheme} board filtered`)));
    await page.getByRole("button", { name: /^All/ }).click();

    await page.getByRole("searchbox", { name: "Search projects" }).fill("nothing-like-it");
    await page.getByText("No project matches").waitFor();
    failures.push(...(await audit(page, `${scheme} board, no match`)));
    await page.getByRole("searchbox", { name: "Search projects" }).fill("");

    await page.getByRole("button", { name: "New project" }).click();
    await page.getByLabel("Slug").fill("-bad");
    await page.getByLabel("What should it do?").fill("Something.");
    await page.getByRole("button", { name: "Propose" }).click();
    await page.locator('.panel [role="alert"]').waitFor();
    expectFailedRequests(page, [{ method: "POST", path: "/api/projects/propose", status: 400 }]);
    failures.push(...(await audit(page, `${scheme} New project form with a problem`, true)));
    expect(failures).toEqual([]);
  }, 90_000);

  it("project pages: pending, approved with a plan, refused, done, failed, and one that does not exist", async () => {
    const harness = await everyState();
    const page = await openPage({ scheme });
    const failures: string[] = [];
    const visit = async (hash: string, ready: string, view: string) => {
      await page.goto(`${harness.origin}/${hash}`);
      await page.locator(ready).first().waitFor();
      failures.push(...(await audit(page, `${scheme} ${view}`, true)));
    };
    await visit("#/p/alpha", '[data-next="plan"]', "pending project");
    await visit("#/p/gamma/plan", ".plan-doc table", "approved project's plan");
    await visit("#/p/gamma/run", '.story[data-story="US-4"]', "approved project's run tab");
    await visit("#/p/kilo", ".project-head .refusal", "refused project");
    await visit("#/p/delta/run", ".project-head .pr", "done project");
    await page.goto(`${harness.origin}/#/p/eps/run`);
    await page.getByText("Ralph's last lines").click();
    await page.locator(".project-head .log").waitFor();
    failures.push(...(await audit(page, `${scheme} failed project with Ralph's last lines`, true)));
    await visit("#/p/nowhere", '.project-page [role="alert"]', "missing project");
    expect(failures).toEqual([]);
  }, 120_000);

  it("the conversation: messages, the thinking line, the composer", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore([{ name: "alpha", status: "pending", description: "A todo app." }], 1);
    expect((await harness.call("POST", "/api/projects/alpha/plan/start", { body: {} })).status).toBe(200);
    const page = await openPage({ scheme });
    await page.goto(`${harness.origin}/#/p/alpha`);
    await page.waitForSelector(".msg-planner");
    const failures = await audit(page, `${scheme} conversation`, true);
    await page.getByLabel("Your answer").fill("[[fake:slow=4000]] Only **me**, with `code`.");
    await page.getByRole("button", { name: "Send" }).click();
    await page.waitForSelector(".thinking");
    failures.push(...(await audit(page, `${scheme} conversation while the planner thinks`)));
    await page.waitForSelector(".thinking", { state: "detached", timeout: 20_000 });
    failures.push(...(await audit(page, `${scheme} conversation answered`)));
    expect(failures).toEqual([]);
  }, 90_000);

  it("the run tab after a failed run: the log, the runs, the failed and passing stories", async () => {
    const harness = await startHarness({
      watch: true,
      env: { RALPH_COMMAND: `${fakeRalphPath} --tool claude 10` },
      processEnv: { FAKE_RALPH_DELAY_MS: "100" },
    });
    harness.runtime.onStop(() => harness.runtime.executor.stop());
    await harness.writeStore([{ name: "shop", status: "approved", description: "A shop." }], 1);
    await harness.writePrd("shop", 3, 0);
    await writeFile(join(workspacePaths(harness.runtime.config.workspaceDir, "shop").ralph, ".fake-mode"), "fail\n");
    await harness.runtime.watcher.refresh();
    const page = await openPage({ scheme });
    await page.goto(`${harness.origin}/#/p/shop/run`);
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await page.locator(".project-head .badge", { hasText: "failed" }).waitFor({ timeout: 30_000 });
    await page.locator('.story[data-state="failed"]').waitFor({ timeout: 10_000 });
    await page.locator(".runs li").first().waitFor({ timeout: 10_000 });
    await page.getByLabel("Run log").waitFor();
    expect(await audit(page, `${scheme} run tab after a failed run`, true)).toEqual([]);
  }, 90_000);

  it("the store's banner, the offline banner and the login page", async () => {
    const harness = await everyState();
    const page = await openPage({ scheme });
    expectFailedRequests(page, [{ status: "network", path: /^\/api\//, optional: true }]);
    await page.goto(`${harness.origin}/#/p/gamma`);
    await page.waitForSelector('main.project-page[data-slug="gamma"]');
    await writeFile(join(harness.dir, TASKS_FILE_NAME), "{ broken");
    await page.locator('[data-connection="error"]').waitFor({ timeout: 10_000 });
    const failures = await audit(page, `${scheme} store banner`);
    await page.goto(`${harness.origin}/`);
    await page.locator('[data-waiting="store"]').waitFor();
    failures.push(...(await audit(page, `${scheme} board waiting for the store`)));

    await harness.stopDashboard();
    await page.locator('[data-connection="offline"]').waitFor({ timeout: 15_000 });
    failures.push(...(await audit(page, `${scheme} offline banner`)));

    const locked = await startHarness({ env: { DASHBOARD_TOKEN: "s3cret-token-for-tests" } });
    const login = await openPage({ scheme });
    expectFailedRequests(login, [
      { method: "GET", path: "/", status: 401 },
      { method: "POST", path: "/api/login", status: 401 },
    ]);
    await login.goto(`${locked.origin}/`);
    await login.getByLabel("Dashboard token").fill("wrong");
    await login.getByRole("button", { name: "Log in" }).click();
    await login.locator('[role="alert"]').waitFor();
    failures.push(...(await audit(login, `${scheme} login refused`, true)));
    expect(failures).toEqual([]);
  }, 90_000);
});
