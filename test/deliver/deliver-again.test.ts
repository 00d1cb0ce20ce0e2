// Delivering a finished run again from a chat (`/deliver`), through the one command registry and the real
// Telegram adapter: after a refused push the member renames the branch with /edit and delivers the run's
// commits under the new name, without a new run. Real git with a bare remote, the real executor, the fake GitHub.
import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startFakeGithub } from "../fakes/github/server.ts";
import { startChatSurfaces } from "../helpers/chat-surfaces.ts";
import { createBareRemote, git, samplePrd, writePlanningArtifacts } from "../helpers/git-fixtures.ts";
import { executorCliEnv, runPlanbotChild } from "../helpers/planbot-child.ts";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { createHarness } from "../execute/harness.ts";
import { useHarnessTemp } from "../execute/use-harness-temp.ts";

const temp = useHarnessTemp();
const TOKEN = "ghp_againTOKEN0123456789abcdefABCDEF012";

/** A server rule that refuses pushes to `ralph/todo` only, worded as GitHub's branch protection words it. */
const PROTECT_RALPH_TODO = `#!/bin/sh
while read old new ref; do
  if [ "$ref" = "refs/heads/ralph/todo" ]; then
    echo 'error: GH006: Protected branch update failed for refs/heads/ralph/todo.' >&2
    exit 1
  fi
done
exit 0
`;

describe("/deliver: a finished run delivered again from a chat", { timeout: 120_000 }, () => {
  it("after a refused push, /edit --branch then /deliver pushes the run's commits under the new name and opens the pull request; nothing runs again", async (context) => {
    const root = await temp.make("deliver-again-");
    const remote = await createBareRemote(root, "todo", { ralphScript: true });
    const github = await startFakeGithub(TOKEN);
    github.addRepo("acme", "todo", remote.path);
    context.onTestFinished(() => github.close());
    const hook = join(remote.path, "hooks", "pre-receive");
    await writeFile(hook, PROTECT_RALPH_TODO);
    await chmod(hook, 0o755);

    const h = await createHarness(temp, {
      root: join(root, "planbot"),
      gitRemoteBase: remote.base,
      env: { FAKE_RALPH_COMMIT: "1" },
    });
    context.onTestFinished(() => h.cleanup());
    h.config.execute.delivery = {
      pushOn: "complete",
      github: { token: TOKEN, owner: "acme", apiUrl: github.url, retryBaseMs: 1 },
    };
    await writePlanningArtifacts(h.config.workspaceDir, "todo", { prd: samplePrd("todo", 2) });
    await h.approve("todo");
    expect(await h.executor().runOnce({ slug: "todo" })).toMatchObject({ ok: true, runs: [{ outcome: "complete" }] });
    expect((await h.entry("todo")).delivery).toMatchObject({ ok: false, pushed: false, problem: "branch_protected" });
    const ws = workspacePaths(h.config.workspaceDir, "todo");
    const runHead = await git(ws.root, ["rev-parse", "refs/heads/ralph/todo"]);
    await h.lifecycle.propose({ slug: "later", description: "not run yet" });

    const chats = await startChatSurfaces({
      root,
      dataDir: h.config.dataDir,
      env: {
        PLANBOT_WORKSPACE_DIR: h.config.workspaceDir,
        GIT_REMOTE_BASE: remote.base,
        GITHUB_TOKEN: TOKEN,
        GITHUB_OWNER: "acme",
        GITHUB_API_URL: github.url,
        PUSH_ON: "complete",
      },
    });
    context.onTestFinished(() => chats.close());

    // Nothing to deliver: a project that never ran is refused in plain words.
    const refused = await chats.telegramSays("/deliver later", "only the work");
    expect(refused).toContain("later is pending: only the work of a complete run is delivered.");
    expect(github.requests).toHaveLength(0);

    // The member's step from the notice: another branch, then deliver the same work again.
    await chats.telegramSays("/edit todo --branch ralph/todo-2", "ralph/todo-2");
    const delivered = await chats.telegramSays("/deliver todo", /ready for review|could not/);
    expect(delivered).toContain("todo: branch ralph/todo-2 pushed; draft pull request #1 is ready for review.");

    // The run's commits, not a new run's, are on the remote under the new name; the protected branch is untouched.
    expect(await git(remote.path, ["rev-parse", "refs/heads/ralph/todo-2"])).toBe(runHead);
    await expect(git(remote.path, ["rev-parse", "--verify", "--quiet", "refs/heads/ralph/todo"])).rejects.toThrow();
    expect(github.pulls("acme", "todo")).toMatchObject([{ head: "ralph/todo-2", base: "main" }]);
    expect(await h.entry("todo")).toMatchObject({
      status: "complete",
      delivery: { ok: true, pushed: true, branch: "ralph/todo-2" },
      pull_request: { number: 1 },
    });

    // Delivered again once more: the same pull request is updated, never a second one.
    const again = await chats.telegramSays("/deliver todo", /ready for review|could not/);
    expect(again).toContain("draft pull request #1 is ready for review");
    expect(github.pulls("acme", "todo")).toHaveLength(1);
  });

  it("planbot projects deliver: after the admin fixed GITHUB_TOKEN the pull request opens without a new run; the CLI keeps git's and GitHub's words", async (context) => {
    const root = await temp.make("deliver-cli-");
    const remote = await createBareRemote(root, "todo", { ralphScript: true });
    const github = await startFakeGithub(TOKEN);
    github.addRepo("acme", "todo", remote.path);
    context.onTestFinished(() => github.close());
    const h = await createHarness(temp, {
      root: join(root, "planbot"),
      gitRemoteBase: remote.base,
      env: { FAKE_RALPH_COMMIT: "1" },
    });
    context.onTestFinished(() => h.cleanup());
    const wrong = "ghp_wrongTOKEN0123456789abcdefABCDEF01";
    h.config.execute.delivery = {
      pushOn: "complete",
      github: { token: wrong, owner: "acme", apiUrl: github.url, retryBaseMs: 1 },
    };
    await writePlanningArtifacts(h.config.workspaceDir, "todo", { prd: samplePrd("todo", 2) });
    await h.approve("todo");
    expect(await h.executor().runOnce({ slug: "todo" })).toMatchObject({ ok: true, runs: [{ outcome: "complete" }] });
    expect((await h.entry("todo")).delivery).toMatchObject({ ok: false, pushed: true, problem: "pr_auth" });
    const finishedAt = (await h.entry("todo")).finished_at;

    const cli = (token: string) =>
      runPlanbotChild(
        ["projects", "deliver", "todo"],
        root,
        executorCliEnv(h.config.dataDir, remote.base, {
          PLANBOT_WORKSPACE_DIR: h.config.workspaceDir,
          GITHUB_TOKEN: token,
          GITHUB_OWNER: "acme",
          GITHUB_API_URL: github.url,
          PUSH_ON: "complete",
        }),
      );
    // Still the wrong token: the operator reads GitHub's words and the whole hint, and the exit code says it failed.
    const still = await cli(wrong);
    expect(still.exitCode).toBe(1);
    expect(still.stdout).toContain("todo: pushed ralph/todo to");
    expect(still.stdout).toContain("GitHub answered 401 for acme/todo: Bad credentials");
    expect(still.stderr).toContain("hint: GITHUB_TOKEN was refused");

    const fixed = await cli(TOKEN);
    expect(fixed.stdout).toMatch(/^todo: pushed ralph\/todo to .*; draft pull request #1 opened: /m);
    expect(fixed.exitCode).toBe(0);
    expect(github.pulls("acme", "todo")).toMatchObject([{ head: "ralph/todo", base: "main", draft: true }]);
    // planbot projects show names the pull request, as the /status card does.
    const shown = await runPlanbotChild(
      ["projects", "show", "todo"],
      root,
      executorCliEnv(h.config.dataDir, remote.base, { PLANBOT_WORKSPACE_DIR: h.config.workspaceDir }),
    );
    expect(shown.stdout).toContain("pull request: #1 https://github.test/acme/todo/pull/1");
    // Delivered, not run again: the run's own record is as it was.
    expect(await h.entry("todo")).toMatchObject({
      status: "complete",
      finished_at: finishedAt,
      delivery: { ok: true },
      pull_request: { number: 1 },
    });

    // Nothing to deliver for a project that never ran: refused with why, exit 3 (a state conflict).
    await h.lifecycle.propose({ slug: "later", description: "not run yet" });
    const refused = await runPlanbotChild(
      ["projects", "deliver", "later"],
      root,
      executorCliEnv(h.config.dataDir, remote.base, { PLANBOT_WORKSPACE_DIR: h.config.workspaceDir }),
    );
    expect(refused.exitCode).toBe(3);
    expect(refused.stderr).toContain("later is pending: only the work of a complete run is delivered.");
  });
});
