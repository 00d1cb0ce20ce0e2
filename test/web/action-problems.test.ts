// An action the server refuses for a problem only planbot's operator can fix, in a real Chromium: the dashboard
// is not the server's operator (docs/architecture.md, "Who may do what, and who is spoken to"), so the words under
// the button are a chat member's — the problem in plain words, their own part, "tell planbot's admin" — and
// neither the page nor the API's answer carries the operator's fix (its commands and the server's paths).
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { startHarness, stopHarnesses } from "../http/harness.ts";
import { closeBrowser, expectFailedRequests, openPage, screenshot } from "./browser.ts";

const temp = createTempDirs();
afterEach(stopHarnesses);
afterAll(closeBrowser);
afterAll(() => temp.cleanup());

describe("a run the server is not set up for", () => {
  it("is refused under the Run button in a member's words, without the operator's fix", async () => {
    // Ralph's PATH without jq: the preflight refuses the run, and only the operator can install it.
    const bare = await temp.make("no-jq-path-");
    const harness = await startHarness({ watch: true, processEnv: { PATH: bare } });
    await harness.writeStore([{ name: "ready", status: "approved" }], 1);
    await harness.writePrd("ready", 2, 0);
    await harness.runtime.watcher.refresh();

    const answer = await harness.call("POST", "/api/projects/ready/run", { body: {} });
    expect(answer.status).toBe(409);
    expect(answer.json).toMatchObject({ error: "run_refused", check: "jq", operator: "server_setup" });
    expect(answer.json).not.toHaveProperty("fix");
    expect(answer.text).not.toContain("apt-get");

    const page = await openPage();
    expectFailedRequests(page, [{ method: "POST", path: "/api/projects/ready/run", status: 409 }]);
    await page.goto(`${harness.origin}/#/p/ready/run`);
    await page.getByRole("button", { name: "Run", exact: true }).click();
    const alert = page.locator('.run [role="alert"]');
    await alert.waitFor();
    expect((await alert.textContent())?.trim()).toBe(
      "Ralph was not started: a tool it needs (jq) is not installed on the server. Please tell planbot's admin: it can only be fixed on the server planbot runs on.",
    );
    expect(await page.locator("main").textContent()).not.toMatch(/apt-get|brew|Fix:/);
    await screenshot(page, "action-problem-run-refused");
  }, 60_000);

  it("without Ralph's script names the missing file inside the workspace, not the template or RALPH_COMMAND", async () => {
    // No ralph.sh in the workspace and no template of it on the server: only the operator can provide one here.
    const harness = await startHarness({ watch: true });
    await harness.writeStore([{ name: "ready", status: "approved" }], 1);
    await harness.writePrd("ready", 2, 0);
    await harness.runtime.watcher.refresh();

    const page = await openPage();
    expectFailedRequests(page, [{ method: "POST", path: "/api/projects/ready/run", status: 409 }]);
    await page.goto(`${harness.origin}/#/p/ready/run`);
    await page.getByRole("button", { name: "Run", exact: true }).click();
    const alert = page.locator('.run [role="alert"]');
    await alert.waitFor();
    expect((await alert.textContent())?.trim()).toBe(
      "Ralph was not started: Ralph's script scripts/ralph/ralph.sh is missing from the workspace of ready. Please tell planbot's admin: it can only be fixed on the server planbot runs on.",
    );
    expect(await alert.locator("code", { hasText: "scripts/ralph/ralph.sh" }).count()).toBe(1);
    expect(await page.locator("main").textContent()).not.toMatch(/RALPH_COMMAND|PLANBOT_DATA_DIR|ralph-template|`/);
    expect(await page.locator("main").textContent()).not.toContain(harness.dir);
  }, 60_000);
});
