// A delivery failure planbot does not recognise still reaches a chat member in plain words: git refusing a
// push for a reason of its own (here the remote's end failing in words git has no name for, next to the remote's
// path on the server), and failures an older planbot stored without a split. The terminal and the logs
// keep git's words. Real git, a real bare remote, the real executor and delivery step.
import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { projectCard } from "../../src/bot/project-card.ts";
import { createDeliveryPort } from "../../src/deliver/deliver-again.ts";
import { deliverySetupOf } from "../../src/deliver/deliver-again-offer.ts";
import { ADMIN_LOG_ADVICE, deliveryReply, failedDeliveryWords } from "../../src/deliver/delivery-notices.ts";
import { silentLogger } from "../../src/log.ts";
import type { DeliveryField } from "../../src/projects/schemas.ts";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { createHarness } from "../execute/harness.ts";
import { useHarnessTemp } from "../execute/use-harness-temp.ts";
import { createBareRemote, git, samplePrd, writePlanningArtifacts } from "../helpers/git-fixtures.ts";

const temp = useHarnessTemp();

describe("a delivery failure planbot does not recognise", { timeout: 60_000 }, () => {
  it("reads in a chat as what failed and whom to tell, never git's words with the remote's path; the terminal keeps them", async (context) => {
    const root = await temp.make("unclassified-");
    const remote = await createBareRemote(root, "todo", { ralphScript: true });
    const h = await createHarness(temp, {
      root: join(root, "planbot"),
      gitRemoteBase: remote.base,
      env: { FAKE_RALPH_COMMIT: "1" },
    });
    context.onTestFinished(() => h.cleanup());
    h.config.execute.delivery = { pushOn: "complete", github: {} };
    await writePlanningArtifacts(h.config.workspaceDir, "todo", { prd: samplePrd("todo", 2) });
    await h.approve("todo");
    expect(await h.executor().runOnce({ slug: "todo" })).toMatchObject({ ok: true, runs: [{ outcome: "complete" }] });
    expect((await h.entry("todo")).delivery).toMatchObject({ ok: true, pushed: true });

    // More work on the branch, and a remote end that fails in words git has no name for (as a full disk on
    // the remote's server would): the receiving side is a script of the workspace's origin.
    const ws = workspacePaths(h.config.workspaceDir, "todo");
    await writeFile(join(ws.root, "later.txt"), "later\n");
    await git(ws.root, ["add", "later.txt"]);
    await git(ws.root, ["commit", "--quiet", "-m", "later work"]);
    const receiver = join(root, "full-disk.sh");
    await writeFile(receiver, "#!/bin/sh\necho 'disk quota exceeded on the build volume' >&2\nexit 1\n");
    await chmod(receiver, 0o755);
    await git(ws.root, ["config", "remote.origin.receivepack", receiver]);
    const port = createDeliveryPort({
      store: h.store,
      lister: h.lister,
      lifecycle: h.lifecycle,
      config: h.config,
      log: silentLogger,
      now: () => h.clock.now().toISOString(),
    });
    const again = await port.deliverAgain("todo");
    if (!again.ok) throw new Error(again.message);
    expect(again.record.delivery).toMatchObject({
      ok: false,
      pushed: false,
      summary: expect.stringContaining("disk quota exceeded"),
      hint_operator: true,
      problem: "push_failed",
      operator: "log_check",
    });

    const notice = deliveryReply(again.record, deliverySetupOf(h.config));
    expect(notice.text).toBe(
      "**todo** could not be fully delivered: the remote did not take the push, so branch `ralph/todo` was not pushed\nWhat to do: Please tell planbot's admin: only they can see in planbot's log what went wrong and fix it. Once they have, deliver it again: `/deliver todo`.",
    );
    const card = projectCard(again.record, { deliverySetup: deliverySetupOf(h.config) });
    for (const member of [notice.text, card]) {
      expect(member).not.toContain("disk quota");
      expect(member).not.toContain(remote.base);
    }
    expect(notice.operatorText).toContain("disk quota exceeded on the build volume");
    expect(projectCard(again.record, { operator: true })).toContain("disk quota exceeded");
  });

  it("stored by an older planbot without a split: plain words and a hint only where it stands without git's", () => {
    const base = { at: "2026-12-02T10:00:00.000Z", ok: false, branch: "ralph/todo" } as const;
    const record = (delivery: DeliveryField) => ({ slug: "todo", status: "complete" as const, delivery });
    // The workspace lacks the branch: planbot's own words, and its own hint.
    const missing = failedDeliveryWords(
      record({
        ...base,
        pushed: false,
        summary: "ralph/todo was not pushed: the workspace has no branch ralph/todo",
        hint: "Run the project again.",
      }),
      false,
    );
    expect(missing).toEqual({ what: "branch `ralph/todo` was not pushed", advice: "Run the project again." });
    // A hint that points at GitHub's words "above", which a member no longer reads: whom to tell instead.
    const pullRequest = failedDeliveryWords(
      record({
        ...base,
        pushed: true,
        summary:
          "pushed ralph/todo to /srv/git/remotes/todo, but no pull request: GitHub answered 418 for acme/todo: I'm a teapot",
        hint: "GitHub refused the pull request (see its words above); open it by hand from the pushed branch.",
      }),
      false,
    );
    expect(pullRequest).toEqual({
      what: "branch `ralph/todo` is pushed, but planbot could not open its pull request",
      advice: ADMIN_LOG_ADVICE,
    });
    // GitHub out of reach, stored before planbot split it: the member's way on.
    const down = failedDeliveryWords(
      record({
        ...base,
        pushed: true,
        summary:
          "pushed ralph/todo to /srv/git/remotes/todo, but no pull request: GitHub could not be reached for acme/todo: connect ECONNREFUSED 10.0.0.5:443",
        hint: "The GitHub API is unavailable; the branch is pushed, so open the pull request by hand or deliver it again later.",
      }),
      false,
    );
    expect(down.what).toBe(
      "branch `ralph/todo` is pushed, but GitHub could not be reached, so there is no pull request yet",
    );
    expect(down.advice).toContain("`/deliver todo` once GitHub is back");
    for (const words of [missing, pullRequest, down]) expect(JSON.stringify(words)).not.toContain("/srv/git");
  });
});
