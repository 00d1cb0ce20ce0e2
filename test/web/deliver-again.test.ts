// The Run tab's "Deliver again" in a real Chromium, offered only where it can work with the settings planbot
// runs with: without GIT_REMOTE_BASE the page has no such button and says, in a member's words, that planbot's
// admin must give planbot a remote first (and the API refuses a POST the same way); with a remote, the button
// pushes the finished run's branch from the workspace to a real bare repository, without a new run.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { createBareRemote, git } from "../helpers/git-fixtures.ts";
import { startHarness, stopHarnesses } from "../http/harness.ts";
import { useCleanups } from "../helpers/use-cleanups.ts";
import { closeBrowser, openPage, screenshot } from "./browser.ts";

afterEach(stopHarnesses);
afterAll(closeBrowser);
const { temp } = useCleanups();

/** A push the remote could not be reached for, as the store keeps it: the operator's to fix. */
const UNREACHABLE = {
  at: "2026-01-03T00:00:00.000Z",
  ok: false,
  pushed: false,
  branch: "ralph/shop",
  summary: "ralph/shop was not pushed: fatal: unable to access 'https://git.example/shop/': Could not resolve host",
  hint: "Check that the remote exists and is reachable from this machine (GIT_REMOTE_BASE), then run again.",
  hint_operator: true,
  problem: "push_unreachable",
  operator: "remote_reach",
};

const NOTE =
  "planbot has no remote repository to push to now, so it cannot be delivered again. Please tell planbot's admin: only they can give planbot one. Once they have, deliver it again: /deliver shop.";

describe("Deliver again on the Run tab", () => {
  it("without GIT_REMOTE_BASE: no button, what must change in a member's words, and the API refuses alike", async () => {
    const harness = await startHarness({ watch: true, env: { PUSH_ON: "complete" } });
    await harness.writeStore(
      [{ name: "shop", status: "complete", extra: { branch: "ralph/shop", delivery: UNREACHABLE } }],
      1,
    );
    await harness.writePrd("shop", 2, 2);
    await harness.runtime.watcher.refresh();

    const listed = await harness.call("GET", "/api/projects");
    const served = (listed.json.projects as { name: string; delivery: Record<string, unknown> }[])[0]?.delivery;
    expect(served).toMatchObject({ deliver_again: false, again_note: expect.stringContaining("no remote repository") });
    const refused = await harness.call("POST", "/api/projects/shop/deliver", { body: {} });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ error: "not_deliverable", reason: "no_remote", message: NOTE });
    expect(refused.text).not.toContain("GIT_REMOTE_BASE");

    const page = await openPage();
    await page.goto(`${harness.origin}/#/p/shop/run`);
    const note = page.getByTestId("deliver-again-note");
    await note.waitFor();
    expect((await note.textContent())?.trim()).toBe(NOTE);
    expect(await page.getByRole("button", { name: "Deliver again" }).count()).toBe(0);
    expect((await page.locator("main").textContent()) ?? "").not.toContain("GIT_REMOTE_BASE");
    await screenshot(page, "deliver-again-no-remote");
  }, 60_000);

  it("with a remote: the button pushes the finished run's branch from the workspace; no new run", async () => {
    const remote = await createBareRemote(await temp.make("deliver-web-"), "shop");
    const withRemote = await startHarness({
      watch: true,
      env: { PUSH_ON: "complete", GIT_REMOTE_BASE: remote.base },
    });
    // The finished run's work: a clone of the remote with the run's branch and its commit.
    const ws = workspacePaths(withRemote.runtime.config.workspaceDir, "shop");
    await git(withRemote.runtime.config.workspaceDir, ["clone", "--quiet", remote.path, ws.root]);
    await git(ws.root, ["checkout", "--quiet", "-b", "ralph/shop"]);
    await writeFile(join(ws.root, "feature.txt"), "the run's work\n");
    await git(ws.root, ["add", "feature.txt"]);
    await git(ws.root, ["commit", "--quiet", "-m", "US-1: the run's work"]);
    const runHead = await git(ws.root, ["rev-parse", "HEAD"]);
    await withRemote.writeStore(
      [{ name: "shop", status: "complete", extra: { branch: "ralph/shop", delivery: UNREACHABLE } }],
      1,
    );
    await withRemote.writePrd("shop", 2, 2);
    await withRemote.runtime.watcher.refresh();

    const page = await openPage();
    await page.goto(`${withRemote.origin}/#/p/shop/run`);
    const button = page.getByRole("button", { name: "Deliver again" });
    await button.waitFor();
    expect(await page.getByTestId("deliver-again-note").count()).toBe(0);
    await button.click();
    await page.getByText("Delivered again.").waitFor();
    expect(await git(remote.path, ["rev-parse", "refs/heads/ralph/shop"])).toBe(runHead);
    const listed = await withRemote.call("GET", "/api/projects");
    const project = (listed.json.projects as { name: string; status: string; delivery: Record<string, unknown> }[])[0];
    expect(project).toMatchObject({ status: "complete", delivery: { ok: true, pushed: true, branch: "ralph/shop" } });
    await screenshot(page, "deliver-again-pushed");
  }, 60_000);
});
