import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startFakeGithub } from "../fakes/github/server.ts";
import { git, samplePrd } from "../helpers/git-fixtures.ts";
import { useQueueFixture } from "./queue-fixture.ts";

// A remote run's delivery: a real `planbot worker` pushes the branch to a real bare remote (PUSH_ON) without
// any GitHub token; the bot opens or updates the draft pull request on the fake GitHub with its own token.
const TOKEN = "ghp_testTOKEN0123456789abcdefABCDEF0123";
const { setUp, cleanup } = useQueueFixture();

describe("a remote run's draft pull request", { timeout: 120_000 }, () => {
  it("the worker pushes, the bot opens the draft pull request, and a second run updates the same one", async () => {
    const github = await startFakeGithub(TOKEN);
    cleanup(() => github.close());
    const { world } = await setUp({ lockMs: 10_000, github: { fake: github, token: TOKEN } });
    await world.approve("november");
    await world.startWorker({ FAKE_RALPH_COMMIT: "1" });

    const first = await world.executor.runOnce({ slug: "november" });
    if (!first.ok) throw new Error(first.message);
    expect(first.runs[0]?.outcome).toBe("complete");
    expect(first.runs[0]?.message).toMatch(/pushed ralph\/november to .*; draft pull request #1 opened: \S+\/pull\/1/);
    const pulls = github.pulls("acme", "shared");
    expect(pulls).toMatchObject([{ number: 1, head: "ralph/november", base: "main", draft: true, state: "open" }]);
    expect(pulls[0]?.title).toMatch(/november/);
    // The head the pull request names is the branch the worker pushed to the real remote.
    expect(await git(world.remote.path, ["rev-parse", "--verify", "refs/heads/ralph/november"])).toMatch(
      /^[0-9a-f]{40}$/,
    );
    expect(github.requests.every((request) => request.authorization?.includes(TOKEN))).toBe(true);
    // The run's commits came back with the outcome (the bot's workspace has no clone to count them in).
    expect((await world.queueRun("november"))?.commits).toEqual({
      count: 2,
      subjects: [expect.stringMatching(/US-2\b/), expect.stringMatching(/US-1\b/)],
    });
    const entry = await world.entry("november");
    expect(entry.pull_request).toMatchObject({ number: 1, url: expect.stringMatching(/\/pull\/1$/) });
    expect(entry.delivery).toMatchObject({
      ok: true,
      pushed: true,
      summary: expect.stringMatching(/draft pull request #1/),
    });
    // The notice pairs the pull request with this delivery (same time), so the chats get its link.
    expect((entry.pull_request as { updated_at: string }).updated_at).toBe((entry.delivery as { at: string }).at);

    // Re-planned and approved again: the next remote run updates the open pull request, never a second one.
    const prd = join(world.root, "bot", "workspace", "november", "scripts", "ralph", "prd.json");
    await writeFile(prd, `${JSON.stringify({ ...samplePrd("november", 3), description: "re-planned" }, null, 2)}\n`);
    expect((await world.lifecycle.approve("november")).ok).toBe(true);
    const second = await world.executor.runOnce({ slug: "november" });
    if (!second.ok) throw new Error(second.message);
    expect(second.runs[0]?.message).toMatch(/draft pull request #1 updated/);
    expect(github.pulls("acme", "shared")).toHaveLength(1);
  });

  it("GitHub's 403 on the bot's pull request is stored split, as for a local run: the member opens it by hand", async () => {
    const github = await startFakeGithub(TOKEN);
    cleanup(() => github.close());
    const { world } = await setUp({ lockMs: 10_000, github: { fake: github, token: TOKEN } });
    github.fault({ status: 403, times: 1, method: "POST", message: "Resource not accessible by integration" });
    await world.approve("oscar");
    await world.startWorker({ FAKE_RALPH_COMMIT: "1" });

    const ran = await world.executor.runOnce({ slug: "oscar" });
    if (!ran.ok) throw new Error(ran.message);
    expect(ran.runs[0]?.outcome).toBe("complete");
    expect(github.pulls("acme", "shared")).toHaveLength(0);
    expect((await world.entry("oscar")).delivery).toMatchObject({
      ok: false,
      pushed: true,
      branch: "ralph/oscar",
      hint: expect.stringContaining("pull-request write access"),
      problem: "pr_forbidden",
      next: { kind: "open_pull_request" },
      operator: "token_access",
    });
  });
});
