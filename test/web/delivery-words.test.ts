// A delivery that went wrong (push failed, pull request refused, no GITHUB_TOKEN), on the Run tab of a real
// Chromium: the dashboard is not the server's operator, so it words the problem as the chats do. A hint only planbot's
// operator can act on (`hint_operator`: the server's settings, credentials, its log) reads as what failed in plain
// words and "tell planbot's admin", and never reaches the page or the list it is served; a hint the member can act
// on shows as written.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ADMIN_DELIVERY_ADVICE } from "../../src/deliver/delivery-notices.ts";
import { startHarness, stopHarnesses } from "../http/harness.ts";
import { closeBrowser, openPage, screenshot } from "./browser.ts";

afterEach(stopHarnesses);
afterAll(closeBrowser);

/** The operator's hint: server paths and credentials advice a member can do nothing with. */
const OPERATOR_HINT =
  "set GITHUB_TOKEN in /srv/planbot/.env with the repo scope and check GIT_REMOTE_BASE (see planbot's log)";

/** A hint for the member, with characters the chats' markup escapes. */
const MEMBER_HINT = "allow pull requests in the repository's settings_page, then run it again [it stays pushed]";

function failedDelivery(summary: string, hint: string, operator: boolean) {
  return {
    at: "2026-01-03T00:00:00.000Z",
    ok: false,
    pushed: !operator,
    branch: "ralph/x",
    summary,
    hint,
    ...(operator ? { hint_operator: true } : {}),
  };
}

describe("a delivery problem on the Run tab", () => {
  it("reads in a member's words: the operator's hint becomes 'tell planbot's admin', a member's hint shows as written", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore(
      [
        {
          name: "no-token",
          status: "complete",
          extra: { delivery: failedDelivery("the branch could not be pushed", OPERATOR_HINT, true) },
        },
        {
          name: "no-pr",
          status: "complete",
          extra: { delivery: failedDelivery("the pull request was refused", MEMBER_HINT, false) },
        },
      ],
      1,
    );
    await harness.writePrd("no-token", 2, 2);
    await harness.writePrd("no-pr", 2, 2);
    await harness.runtime.watcher.refresh();

    // The list the page reads carries the member's words, never the operator's hint.
    const listed = await harness.call("GET", "/api/projects");
    expect(listed.text).not.toContain("/srv/planbot");
    const projects = listed.json.projects as { name: string; delivery: Record<string, unknown> }[];
    expect(projects.find((project) => project.name === "no-token")?.delivery).toMatchObject({
      hint: null,
      hint_operator: true,
      advice: ADMIN_DELIVERY_ADVICE,
    });

    const page = await openPage();
    await page.goto(`${harness.origin}/#/p/no-token/run`);
    const line = page.getByTestId("delivery");
    await line.waitFor();
    // The summary beside an operator's hint holds the server's words too: the member reads what failed plainly.
    expect((await line.textContent())?.trim()).toBe(
      `Delivery: branch ralph/x was not pushed — ${ADMIN_DELIVERY_ADVICE}`,
    );
    const shown = (await page.locator("main").textContent()) ?? "";
    expect(shown).not.toContain("GITHUB_TOKEN");
    expect(shown).not.toContain("/srv/planbot");
    await screenshot(page, "delivery-operator-hint");

    await page.goto(`${harness.origin}/#/p/no-pr/run`);
    await page.locator('main.project-page[data-slug="no-pr"]').waitFor();
    // A failure planbot did not sort may carry git's or GitHub's words in its summary: the member reads whether
    // the branch got pushed, and the hint, which is planbot's own.
    expect((await line.textContent())?.trim()).toBe(
      `Delivery: branch ralph/x is pushed, but planbot could not open its pull request — ${MEMBER_HINT}`,
    );
  }, 60_000);

  it("reads a failure split between the member and the operator as the chats do: the problem in plain words, not git's with the remote's server path", async () => {
    const harness = await startHarness({ watch: true });
    const split = {
      ...failedDelivery(
        "pushed ralph/x to /srv/git/remotes/x, but no pull request: GitHub answered 422: No commits between main and ralph/x",
        "GitHub refused the pull request (see its words above); open it by hand from the pushed branch.",
        false,
      ),
      pushed: true,
      problem: "pr_no_commits",
      next: { kind: "edit", field: "base" },
    };
    await harness.writeStore([{ name: "empty-pr", status: "complete", extra: { delivery: split } }], 1);
    await harness.writePrd("empty-pr", 2, 2);
    await harness.runtime.watcher.refresh();

    const page = await openPage();
    await page.goto(`${harness.origin}/#/p/empty-pr/run`);
    const line = page.getByTestId("delivery");
    await line.waitFor();
    const shown = (await line.textContent())?.trim() ?? "";
    expect(shown).toContain("it has no commits its base lacks");
    expect(shown).toContain("/edit empty-pr --base M");
    expect(shown).not.toContain("/srv/git");
    await screenshot(page, "delivery-split");
  }, 60_000);

  it("reads a delivery that worked as the branch pushed, without git's summary naming the server's remote", async () => {
    const harness = await startHarness({ watch: true });
    const delivered = {
      at: "2025-03-01T00:00:00.000Z",
      ok: true,
      pushed: true,
      branch: "ralph/x",
      summary: "pushed ralph/x to /srv/git/remotes/x; no pull request: GITHUB_TOKEN is not set",
      hint: null,
    };
    await harness.writeStore([{ name: "shipped", status: "complete", extra: { delivery: delivered } }], 1);
    await harness.writePrd("shipped", 2, 2);
    await harness.runtime.watcher.refresh();

    const page = await openPage();
    await page.goto(`${harness.origin}/#/p/shipped/run`);
    const line = page.getByTestId("delivery");
    await line.waitFor();
    expect((await line.textContent())?.trim()).toBe("Delivery: branch ralph/x pushed; no pull request was opened");
    expect(await line.locator("code").textContent()).toBe("ralph/x");
    const shown = (await page.locator("main").textContent()) ?? "";
    expect(shown).not.toContain("/srv/git");
    expect(shown).not.toContain("GITHUB_TOKEN");
  }, 60_000);
});
