// Problems only planbot's operator can fix, on the dashboard of a real Chromium: it is not the server's operator,
// like Telegram or Discord, so a run error in the way on the server (`error_operator`) and a refused run the server
// must be set up for (a refusal's check) read as the `/status` card words them — the problem, the member's own
// part, "tell planbot's admin" — and the operator's paths and commands reach neither the page nor its list.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startHarness, stopHarnesses } from "../http/harness.ts";
import { closeBrowser, openPage, screenshot } from "./browser.ts";

afterEach(stopHarnesses);
afterAll(closeBrowser);

/** The operator's message of a workspace cloned from another repository: a server path and what to do there. */
const OTHER_REPO =
  "The workspace folder /srv/planbot/workspace/mixed is a clone of git@example.com:team/old.git, not team/new: move it away on the server.";

/** The operator's refusal of a machine without jq. */
const NO_JQ = "Ralph was not started: jq is not installed. Fix: install it on the server (sudo apt-get install jq).";

describe("a problem only planbot's operator can fix", () => {
  it("reads in a member's words on the project page and the board, without the operator's paths or commands", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore(
      [
        {
          name: "mixed",
          status: "failed",
          extra: {
            error: OTHER_REPO,
            error_fix: { error: OTHER_REPO, field: "repo", operator: "workspace_other_repo" },
          },
        },
        {
          name: "waiting",
          status: "approved",
          extra: { run_refusal: { at: "2026-01-03T00:00:00.000Z", message: NO_JQ, check: "jq" } },
        },
      ],
      1,
    );
    await harness.writePrd("mixed", 2, 0);
    await harness.writePrd("waiting", 2, 0);
    await harness.runtime.watcher.refresh();

    const listed = await harness.call("GET", "/api/projects");
    expect(listed.text).not.toContain("/srv/planbot");
    expect(listed.text).not.toContain("apt-get");

    const page = await openPage();
    await page.goto(`${harness.origin}/#/p/mixed`);
    const error = page.getByTestId("error-member");
    await error.waitFor();
    expect((await error.textContent())?.trim()).toBe(
      "The workspace folder of mixed on the server holds a clone of another repository. If the project's repo is wrong, set it: /edit mixed --repo R. Otherwise tell planbot's admin: only they can move that folder away on the server.",
    );
    expect(await page.locator("main").textContent()).not.toContain("/srv/planbot");
    await screenshot(page, "member-words-error");

    await page.goto(`${harness.origin}/#/p/waiting`);
    const refusal = page.locator(".project-head .refusal");
    await refusal.waitFor();
    const said = (await refusal.textContent()) ?? "";
    expect(said).toContain("a tool it needs (jq) is not installed on the server");
    expect(said).toContain("Please tell planbot's admin: it can only be fixed on the server planbot runs on.");
    expect(await page.locator("main").textContent()).not.toContain("apt-get");
    await screenshot(page, "member-words-refusal");

    await page.goto(`${harness.origin}/#/`);
    const card = page.locator('.card[data-slug="waiting"] .refusal');
    await card.waitFor();
    expect(await card.textContent()).toBe("Not started: a tool it needs (jq) is not installed on the server");
  }, 60_000);
});
