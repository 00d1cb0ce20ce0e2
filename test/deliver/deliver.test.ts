import { readFile, writeFile, chmod } from "node:fs/promises";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it, type TestContext } from "vitest";
import { projectActions, projectCard } from "../../src/bot/project-card.ts";
import type { DeliverySettings } from "../../src/config/delivery-settings.ts";
import { deliverySetupOf } from "../../src/deliver/deliver-again-offer.ts";
import { deliveryReply } from "../../src/deliver/delivery-notices.ts";
import { createLogger } from "../../src/log.ts";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { createHarness } from "../execute/harness.ts";
import { useHarnessTemp } from "../execute/use-harness-temp.ts";
import { fakeRalphPath } from "../fakes/paths.ts";
import { startFakeGithub, type FakeGithub } from "../fakes/github/server.ts";
import { procProbe } from "../../src/projects/process-probe.ts";
import { createBareRemote, git, samplePrd, waitUntil, writePlanningArtifacts } from "../helpers/git-fixtures.ts";

const temp = useHarnessTemp();

/** Token-shaped on purpose: the log scrubber must not be what saves us, the code must never print it. */
const TOKEN = "ghp_testTOKEN0123456789abcdefABCDEF0123";
const PLAN =
  "# Plan for todo\n\n## Goal\n\nLet people keep a todo list in the browser. Items survive a reload.\n\n## Design\n\nLocal storage.\n";

/**
 * One delivery world: a bare remote `acme-remotes/todo` (GIT_REMOTE_BASE is its local folder, so
 * GITHUB_OWNER + GITHUB_API_URL tie it to the fake GitHub's `acme/todo`), an executor whose log is kept,
 * and the approved project `todo` with its planning artifacts.
 */
async function world(
  context: TestContext,
  options: {
    pushOn?: DeliverySettings["pushOn"];
    github?: boolean | "wrong-token";
    remote?: boolean;
    stories?: number;
    fakeMode?: "complete" | "fail" | "block";
  } = {},
) {
  const root = await temp.make("deliver-");
  const remote = await createBareRemote(root, "todo", { ralphScript: true });
  let github: FakeGithub | undefined;
  if (options.github !== false) {
    github = await startFakeGithub(TOKEN);
    github.addRepo("acme", "todo", remote.path);
    context.onTestFinished(() => github!.close());
  }
  const h = await createHarness(temp, {
    root: join(root, "planbot"),
    // Without a remote the fresh local repository has no ralph.sh: the absolute path is copied in.
    ...(options.remote === false
      ? { ralphCommand: `${fakeRalphPath} --tool claude 10` }
      : { gitRemoteBase: remote.base }),
    env: { FAKE_RALPH_COMMIT: "1" },
  });
  h.config.execute.delivery = {
    pushOn: options.pushOn ?? "complete",
    github: github
      ? {
          token: options.github === "wrong-token" ? "ghp_wrongTOKEN0123456789abcdefABCDEF01" : TOKEN,
          owner: "acme",
          apiUrl: github.url,
          retryBaseMs: 1,
        }
      : {},
  };
  context.onTestFinished(() => h.cleanup());
  let logged = "";
  const log = createLogger(
    "debug",
    new Writable({ write: (chunk, _encoding, done) => ((logged += String(chunk)), done()) }),
  );
  const executor = h.executor({ log });
  await writePlanningArtifacts(h.config.workspaceDir, "todo", {
    plan: PLAN,
    prd: samplePrd("todo", options.stories ?? 2),
    ...(options.fakeMode ? { fakeMode: options.fakeMode } : {}),
  });
  await h.approve("todo");
  const ws = workspacePaths(h.config.workspaceDir, "todo");
  /** Everything planbot said or stored: the token must be in none of it. */
  const outputs = async () =>
    [logged, await readFile(join(h.config.dataDir, "approved-tasks.json"), "utf8"), JSON.stringify(h.finished)].join(
      "\n",
    );
  /** A second run needs open work: Ralph's preflight refuses a prd.json whose stories all pass. */
  const replan = async (stories: number) => {
    await writeFile(ws.prd, JSON.stringify({ ...samplePrd("todo", stories), description: "re-planned" }, null, 2));
    expect((await h.lifecycle.approve("todo")).ok).toBe(true);
  };
  return { h, remote, github, executor, ws, outputs, replan, logged: () => logged };
}

const posts = (github: FakeGithub) => github.requests.filter((request) => request.method === "POST");

describe("delivering a finished run: push to a real bare remote, draft pull request on the fake GitHub", {
  timeout: 120_000,
}, () => {
  it("a complete run pushes the branch with Ralph's commits (base untouched) and opens one draft PR; a second run updates it", async (context) => {
    const { h, remote, github, executor, ws, outputs } = await world(context);
    const first = await executor.runOnce({ slug: "todo" });
    expect(first).toMatchObject({ ok: true, runs: [{ outcome: "complete" }] });
    const run = first.ok ? first.runs[0]! : undefined;

    // The branch arrived with Ralph's commits; main on the remote is exactly as it was.
    const head = await git(ws.root, ["rev-parse", "ralph/todo"]);
    expect(await git(remote.path, ["rev-parse", "refs/heads/ralph/todo"])).toBe(head);
    expect(await git(remote.path, ["log", "--format=%s", "-3", "refs/heads/ralph/todo"])).toBe(
      "US-2\nUS-1\nchore: planning artifacts",
    );
    expect(await git(remote.path, ["rev-parse", "refs/heads/main"])).toBe(remote.mainTip);

    // Exactly one draft PR: head, base, title from the plan's goal, the stories as a ticked checklist, the plan linked.
    expect(posts(github!)).toHaveLength(1);
    const created = posts(github!)[0]!;
    expect(created).toMatchObject({ path: "/repos/acme/todo/pulls", status: 201, authorization: `token ${TOKEN}` });
    expect(created.body).toMatchObject({
      head: "ralph/todo",
      base: "main",
      draft: true,
      title: "Let people keep a todo list in the browser.",
    });
    const body = (created.body as { body: string }).body;
    expect(body).toContain("- [x] US-1 Story 1\n- [x] US-2 Story 2");
    expect(body).toContain(`[final-plan.md](${github!.url}/acme/todo/blob/ralph/todo/scripts/ralph/final-plan.md)`);
    expect(body).toMatch(/\*\*Run:\*\* complete: 2\/2 stories pass · run took \d+ s/);
    // Before creating, planbot looked for an open PR of this head.
    expect(github!.requests[0]).toMatchObject({
      method: "GET",
      path: "/repos/acme/todo/pulls",
      query: { head: "acme:ralph/todo", state: "open", base: "main" },
    });

    const entry = await h.entry("todo");
    expect(entry).toMatchObject({
      status: "complete",
      pull_request: { url: "https://github.test/acme/todo/pull/1", number: 1 },
      delivery: { ok: true, pushed: true, branch: "ralph/todo" },
    });
    expect(run?.message).toMatch(
      /pushed ralph\/todo to .*; draft pull request #1 opened: https:\/\/github.test\/acme\/todo\/pull\/1$/,
    );
    const record = await h.lister.get("todo");
    expect(record.ok && record.record?.pull_request?.url).toBe("https://github.test/acme/todo/pull/1");

    // Second run on a re-planned PRD: same PR updated, never a second one; the push is a fast-forward.
    await writeFile(ws.prd, JSON.stringify({ ...samplePrd("todo", 3), description: "re-planned" }, null, 2));
    expect((await h.lifecycle.approve("todo")).ok).toBe(true);
    const second = await executor.runOnce({ slug: "todo" });
    expect(second).toMatchObject({
      ok: true,
      runs: [{ outcome: "complete", message: expect.stringMatching(/draft pull request #1 updated/) }],
    });
    expect(posts(github!)).toHaveLength(1);
    const patch = github!.requests.find((request) => request.method === "PATCH");
    expect(patch).toMatchObject({ path: "/repos/acme/todo/pulls/1", status: 200 });
    expect((patch!.body as { body: string }).body).toContain("- [x] US-3 Story 3");
    expect(github!.pulls("acme", "todo")).toHaveLength(1);
    expect(await git(remote.path, ["rev-parse", "refs/heads/ralph/todo"])).toBe(
      await git(ws.root, ["rev-parse", "ralph/todo"]),
    );
    expect(await git(remote.path, ["rev-parse", "refs/heads/main"])).toBe(remote.mainTip);
    expect(await outputs()).not.toContain(TOKEN);
  });

  it("PUSH_ON=complete leaves a failed run alone; PUSH_ON=any pushes it and marks failed stories in the checklist", async (context) => {
    const quiet = await world(context, { fakeMode: "fail" });
    expect(await quiet.executor.runOnce({ slug: "todo" })).toMatchObject({ ok: true, runs: [{ outcome: "failed" }] });
    await expect(
      git(quiet.remote.path, ["rev-parse", "--verify", "--quiet", "refs/heads/ralph/todo"]),
    ).rejects.toThrow();
    expect(quiet.github!.requests).toHaveLength(0);
    expect((await quiet.h.entry("todo")).delivery).toBeUndefined();

    const any = await world(context, { fakeMode: "fail", pushOn: "any" });
    expect(await any.executor.runOnce({ slug: "todo" })).toMatchObject({ ok: true, runs: [{ outcome: "failed" }] });
    expect(await git(any.remote.path, ["rev-parse", "refs/heads/ralph/todo"])).toBe(
      await git(any.ws.root, ["rev-parse", "ralph/todo"]),
    );
    const body = (posts(any.github!)[0]!.body as { body: string }).body;
    expect(body).toContain("- [x] US-1 Story 1\n- [ ] US-2 Story 2 — **failed**");
    expect(body).toContain("**Run:** failed: 1/2 stories pass");
    expect((await any.h.entry("todo")).status).toBe("failed");
  });

  it("a 401 is reported with what to do (branch still pushed, run still complete, no PR) and the token is in no output; chats say to tell the admin", async (context) => {
    const { h, github, executor, outputs, remote, ws } = await world(context, { github: "wrong-token" });
    const result = await executor.runOnce({ slug: "todo" });
    expect(result).toMatchObject({
      ok: true,
      runs: [
        {
          outcome: "complete",
          message: expect.stringContaining("but no pull request: GitHub answered 401 for acme/todo: Bad credentials"),
        },
      ],
    });
    const entry = await h.entry("todo");
    expect(entry).toMatchObject({
      status: "complete",
      delivery: {
        ok: false,
        pushed: true,
        hint: expect.stringContaining("GITHUB_TOKEN was refused"),
        hint_operator: true,
      },
    });
    expect(entry.pull_request).toBeUndefined();
    // A token only the operator can set: chat members read whom to tell; the terminal and the CLI read the hint.
    const got = await h.lister.get("todo");
    const record = got.ok ? got.record : undefined;
    if (!record) throw new Error("expected the project's record");
    const notice = deliveryReply(record, deliverySetupOf(h.config));
    // git's and GitHub's words name the server's remote: a chat member reads what failed in plain words.
    const admin =
      "Please tell planbot's admin: only they can fix planbot's access to GitHub. Once they have, deliver it again: `/deliver todo`.";
    expect(projectCard(record)).toContain(
      `Delivery: branch \`ralph/todo\` is pushed, but GitHub did not accept planbot's access, so there is no pull request — ${admin}`,
    );
    expect(projectCard(record)).not.toContain(remote.base);
    expect(notice.text).not.toContain(remote.base);
    expect(projectCard(record, { operator: true })).toContain("— GITHUB\\_TOKEN was refused: set a valid token");
    expect(notice.text).toContain(`\nWhat to do: ${admin}`);
    expect(notice.text).not.toContain("GITHUB");
    expect(notice.operatorText).toContain("What to do: GITHUB\\_TOKEN was refused");
    expect(github!.pulls("acme", "todo")).toHaveLength(0);
    // Not retried: a 401 will not get better.
    expect(github!.requests).toHaveLength(1);
    expect(await git(remote.path, ["rev-parse", "refs/heads/ralph/todo"])).toBe(
      await git(ws.root, ["rev-parse", "ralph/todo"]),
    );
    expect(await outputs()).not.toContain("ghp_wrongTOKEN");
  });

  it("a 422 'already exists' (the list missed it) finds and updates that PR instead of opening a second", async (context) => {
    const { h, github, executor, replan } = await world(context);
    expect(await executor.runOnce({ slug: "todo" })).toMatchObject({ ok: true, runs: [{ outcome: "complete" }] });
    await replan(3);
    github!.hideFromList(1);
    const again = await executor.runOnce({ slug: "todo" });
    expect(again).toMatchObject({
      ok: true,
      runs: [{ outcome: "complete", message: expect.stringContaining("draft pull request #1 updated") }],
    });
    expect(posts(github!).map((request) => request.status)).toEqual([201, 422]);
    expect(github!.requests.filter((request) => request.method === "PATCH")).toHaveLength(1);
    expect(github!.pulls("acme", "todo")).toHaveLength(1);
    expect((await h.entry("todo")).pull_request).toMatchObject({ number: 1 });
  });

  it("a 5xx is retried, then reported as the API being down; the run stays complete and no PR is made", async (context) => {
    const { h, github, executor, outputs, replan } = await world(context);
    github!.fault({ status: 503, times: 4, method: "GET", message: "Service Unavailable" });
    const result = await executor.runOnce({ slug: "todo" });
    expect(result).toMatchObject({
      ok: true,
      runs: [{ outcome: "complete", message: expect.stringContaining("GitHub answered 503 for acme/todo") }],
    });
    expect(github!.requests).toHaveLength(4);
    expect(github!.pulls("acme", "todo")).toHaveLength(0);
    expect(await h.entry("todo")).toMatchObject({
      status: "complete",
      delivery: {
        ok: false,
        pushed: true,
        hint: expect.stringContaining("GitHub API is unavailable"),
        problem: "pr_unavailable",
        next: { kind: "deliver_later" },
      },
    });
    // A chat member reads plain words, never GitHub's answer with the remote's path; the terminal keeps it.
    const notice = deliveryReply(await recordOf(h), deliverySetupOf(h.config));
    expect(notice.text).toBe(
      "**todo** could not be fully delivered: branch `ralph/todo` is pushed, but GitHub could not be reached, so there is no pull request yet\nWhat to do: The work is on the remote: deliver it again: `/deliver todo` once GitHub is back, or open its pull request from `ralph/todo` by hand on GitHub.",
    );
    expect(notice.operatorText).toContain("GitHub answered 503 for acme/todo");
    // The next run, with GitHub back, opens the PR.
    await replan(3);
    expect(await executor.runOnce({ slug: "todo" })).toMatchObject({
      ok: true,
      runs: [{ message: expect.stringContaining("draft pull request #1 opened") }],
    });
    expect(await outputs()).not.toContain(TOKEN);
  });

  it("a remote that moved on or refuses the push is never forced: reported with what to do, remote untouched", async (context) => {
    const { h, remote, executor, github, ws, replan } = await world(context);
    // Someone else pushed to the branch after planbot cloned: the push is a non-fast-forward.
    const other = join(ws.root, "..", "other-clone");
    await git(join(ws.root, ".."), ["clone", "--quiet", remote.path, other]);
    await git(other, ["switch", "--quiet", "-c", "ralph/todo"]);
    await writeFile(join(other, "theirs.txt"), "theirs\n");
    await git(other, ["add", "theirs.txt"]);
    await git(other, ["commit", "--quiet", "-m", "theirs"]);
    const runStarted = executor.runOnce({ slug: "todo" });
    // Push "theirs" while Ralph works (the clone happened already once the entry is running).
    await waitForStatus(h, "running");
    await git(other, ["push", "--quiet", "origin", "ralph/todo"]);
    const theirs = await git(other, ["rev-parse", "HEAD"]);
    const result = await runStarted;
    expect(result).toMatchObject({
      ok: true,
      runs: [{ outcome: "complete", message: expect.stringContaining("ralph/todo was not pushed") }],
    });
    expect(await git(remote.path, ["rev-parse", "refs/heads/ralph/todo"])).toBe(theirs);
    expect(await h.entry("todo")).toMatchObject({
      status: "complete",
      delivery: {
        ok: false,
        pushed: false,
        hint: expect.stringContaining("never force-pushes"),
        problem: "branch_moved",
        next: { kind: "edit", field: "branch" },
        operator: "workspace_merge",
      },
    });
    expect(github!.requests).toHaveLength(0);
    // A chat member reads the problem without git's output (it names the server's remote), their step and
    // whom to tell for the rest; the terminal's card and notice keep git's words and the whole hint.
    const moved = await recordOf(h);
    const movedWords =
      "branch `ralph/todo` on the remote has commits someone else pushed, and planbot never overwrites them, so the work was not pushed";
    const movedAdvice =
      "To deliver to another branch, set it: `/edit todo --branch B`, then deliver it again: `/deliver todo`. For the rest, tell planbot's admin: only they can merge those commits into planbot's copy of the branch on the server.";
    expect(projectCard(moved)).toContain(`Delivery: ${movedWords} — ${movedAdvice}`);
    const movedNotice = deliveryReply(moved, deliverySetupOf(h.config));
    expect(movedNotice.text).toBe(`**todo** could not be fully delivered: ${movedWords}\nWhat to do: ${movedAdvice}`);
    for (const said of [projectCard(moved), movedNotice.text]) expect(said).not.toContain(remote.base);
    expect(projectCard(moved, { operator: true })).toContain("never force-pushes");
    expect(movedNotice.operatorText).toContain(remote.base);
    // The step is one the project takes: nothing was pushed, so its branch may still change (and change back).
    expect(await h.lifecycle.edit("todo", { branch: "ralph/todo-2" })).toMatchObject({ ok: true });
    expect(await h.lifecycle.edit("todo", { branch: "ralph/todo" })).toMatchObject({ ok: true });

    // A server-side rule refusing every push (their branch removed first, so only the rule stands in the way).
    await git(other, ["push", "--quiet", "origin", "--delete", "ralph/todo"]);
    const hook = join(remote.path, "hooks", "pre-receive");
    await writeFile(hook, "#!/bin/sh\necho 'pushes are frozen' >&2\nexit 1\n");
    await chmod(hook, 0o755);
    await replan(3);
    const refused = await executor.runOnce({ slug: "todo" });
    expect(refused).toMatchObject({
      ok: true,
      runs: [
        {
          outcome: "complete",
          message: expect.stringMatching(/not pushed: .*(pre-receive hook declined|pushes are frozen)/),
        },
      ],
    });
    expect(await h.entry("todo")).toMatchObject({
      delivery: {
        ok: false,
        pushed: false,
        hint: expect.stringContaining("refused the push"),
        hint_operator: true,
        problem: "push_refused",
        operator: "push_rule",
      },
    });
    // git's words ("To /srv/…/remotes/todo ! [remote rejected]") stay with the operator; a member reads what failed.
    const frozen = await recordOf(h);
    const frozenNotice = deliveryReply(frozen, deliverySetupOf(h.config));
    expect(frozenNotice.text).toBe(
      "**todo** could not be fully delivered: a rule on the remote's server refused the push, so branch `ralph/todo` was not pushed\nWhat to do: Please tell planbot's admin: only they can change the rule on the remote's server that refused the push. Once they have, deliver it again: `/deliver todo`.",
    );
    expect(projectCard(frozen)).not.toContain(remote.base);
    expect(projectCard(frozen)).not.toContain("remote rejected");
    expect(frozenNotice.operatorText).toContain(remote.base);
    expect(projectCard(frozen, { operator: true })).toContain("pushes are frozen");
  });

  it("credentials the remote refuses are the admin's: a chat member reads what failed, the terminal git's words", async (context) => {
    const { h, remote, executor } = await world(context);
    // What a git server answers a push it does not let planbot make, from a real pre-receive hook.
    const hook = join(remote.path, "hooks", "pre-receive");
    await writeFile(hook, "#!/bin/sh\necho 'ERROR: Permission denied to planbot-bot.' >&2\nexit 1\n");
    await chmod(hook, 0o755);
    expect(await executor.runOnce({ slug: "todo" })).toMatchObject({ ok: true, runs: [{ outcome: "complete" }] });
    expect((await h.entry("todo")).delivery).toMatchObject({
      ok: false,
      pushed: false,
      hint_operator: true,
      problem: "push_auth",
      operator: "git_access",
    });
    const record = await recordOf(h);
    const notice = deliveryReply(record, deliverySetupOf(h.config));
    expect(notice.text).toBe(
      "**todo** could not be fully delivered: the remote did not accept planbot's access, so branch `ralph/todo` was not pushed\nWhat to do: Please tell planbot's admin: only they can fix planbot's access to the remote repository. Once they have, deliver it again: `/deliver todo`.",
    );
    expect(projectCard(record)).not.toContain(remote.base);
    expect(notice.operatorText).toContain("Permission denied to planbot-bot");
    expect(notice.operatorText).toContain("What to do: Check GITHUB\\_TOKEN");
  });

  it("a branch GitHub does not have is no 'open it by hand': the admin points planbot at the repository the push went to", async (context) => {
    const { h, github, executor, remote } = await world(context);
    // GITHUB_OWNER's acme/todo is another repository than the one GIT_REMOTE_BASE pushes to.
    const elsewhere = await createBareRemote(await temp.make("elsewhere-"), "todo");
    github!.addRepo("acme", "todo", elsewhere.path);
    expect(await executor.runOnce({ slug: "todo" })).toMatchObject({ ok: true, runs: [{ outcome: "complete" }] });
    expect(await git(remote.path, ["rev-parse", "--verify", "refs/heads/ralph/todo"])).toMatch(/^[0-9a-f]{40}$/);
    const entry = await h.entry("todo");
    expect(entry.delivery).toMatchObject({
      ok: false,
      pushed: true,
      hint_operator: true,
      hint: expect.stringContaining("GitHub has no branch ralph/todo in acme/todo"),
      problem: "pr_branch_missing",
      operator: "github_repo",
    });
    expect(JSON.stringify(entry.delivery)).not.toContain("by hand from the pushed branch");
    const record = await recordOf(h);
    const notice = deliveryReply(record, deliverySetupOf(h.config));
    expect(notice.text).toBe(
      "**todo** could not be fully delivered: branch `ralph/todo` was pushed, but GitHub does not have it in the repository planbot opens the pull request in, so there is no pull request\nWhat to do: Please tell planbot's admin: only they can point planbot at the GitHub repository the branch went to, or give it access there. Once they have, deliver it again: `/deliver todo`.",
    );
    expect(notice.text).not.toContain("by hand");
    expect(notice.operatorText).toContain("GitHub answered 422 for acme/todo: Validation Failed");
  });

  it("a protected branch splits: a chat member reads their /edit and /run, the admin's part, and no git output", async (context) => {
    const { h, remote, executor, github } = await world(context, { pushOn: "any", fakeMode: "fail" });
    // What GitHub's branch protection answers a push, from a real pre-receive hook.
    const hook = join(remote.path, "hooks", "pre-receive");
    await writeFile(
      hook,
      "#!/bin/sh\necho 'error: GH006: Protected branch update failed for refs/heads/ralph/todo.' >&2\nexit 1\n",
    );
    await chmod(hook, 0o755);
    expect(await executor.runOnce({ slug: "todo" })).toMatchObject({ ok: true, runs: [{ outcome: "failed" }] });
    expect((await h.entry("todo")).delivery).toMatchObject({
      ok: false,
      pushed: false,
      hint: expect.stringContaining("The remote protects ralph/todo"),
      problem: "branch_protected",
      next: { kind: "edit", field: "branch" },
      operator: "push_permission",
    });
    expect(github!.requests).toHaveLength(0);
    const record = await recordOf(h);
    const notice = deliveryReply(record, deliverySetupOf(h.config));
    // A failed run runs again with /run (it is approved again first).
    expect(notice.text).toBe(
      "**todo** could not be fully delivered: the remote protects branch `ralph/todo`, so planbot could not push the work there\nWhat to do: To deliver to another branch, set it: `/edit todo --branch B`, then run it again: `/run todo`. For the rest, tell planbot's admin: only they can let planbot push to that branch.",
    );
    expect(projectCard(record)).not.toContain("GH006");
    // Once the branch is set, the finished work is delivered again from the notice's button or the card's.
    expect(notice.actions?.[0]).toMatchObject({ label: "Deliver again", command: "/deliver todo" });
    expect(projectActions(record, deliverySetupOf(h.config)).map((action) => action.command)).toContain(
      "/deliver todo",
    );
    expect(notice.operatorText).toContain("GH006");
    expect(notice.operatorText).toContain("What to do: The remote protects ralph/todo");
  });

  it("a 403 on the pull request splits: the member opens it by hand, the token's access is the admin's", async (context) => {
    const { h, github, executor } = await world(context);
    github!.fault({ status: 403, times: 1, method: "POST", message: "Resource not accessible by integration" });
    expect(await executor.runOnce({ slug: "todo" })).toMatchObject({ ok: true, runs: [{ outcome: "complete" }] });
    expect((await h.entry("todo")).delivery).toMatchObject({
      ok: false,
      pushed: true,
      problem: "pr_forbidden",
      next: { kind: "open_pull_request" },
      operator: "token_access",
    });
    const record = await recordOf(h);
    const words =
      "branch `ralph/todo` is pushed, but GitHub did not let planbot open its pull request — The work is on the remote: open its pull request from `ralph/todo` by hand on GitHub. For the rest, tell planbot's admin: only they can give planbot's GitHub access the right to open pull requests there.";
    expect(projectCard(record)).toContain(`Delivery: ${words}`);
    expect(deliveryReply(record, deliverySetupOf(h.config)).text).not.toContain("write access");
    expect(projectCard(record, { operator: true })).toContain(
      "GitHub answered 403 for acme/todo: Resource not accessible by integration — The token may not open pull requests on acme/todo",
    );
    expect(deliveryReply(record, deliverySetupOf(h.config)).operatorText).toContain(
      "give it pull-request write access",
    );
  });

  it("a run that ended while no planbot watched is delivered once, by the planbot that records its outcome", async (context) => {
    const { h, remote, github, executor, ws } = await world(context);
    expect((await executor.runNow("todo")).ok).toBe(true);
    const pid = (await h.entry("todo")).pid!;
    await executor.close(); // planbot stops; Ralph keeps working
    await waitUntil("Ralph to finish", () => !procProbe.inspect(pid).alive);
    expect(github!.requests).toHaveLength(0);

    const next = h.executor();
    const reconciled = await next.reconcileFinishedRuns();
    expect(reconciled).toMatchObject({
      ok: true,
      recorded: [{ outcome: "complete", message: expect.stringContaining("draft pull request #1 opened") }],
    });
    expect(await next.reconcileFinishedRuns()).toEqual({ ok: true, recorded: [] });
    expect(posts(github!)).toHaveLength(1);
    expect(await git(remote.path, ["rev-parse", "refs/heads/ralph/todo"])).toBe(
      await git(ws.root, ["rev-parse", "ralph/todo"]),
    );
    expect(await h.entry("todo")).toMatchObject({ status: "complete", pull_request: { number: 1 } });
  });

  it("without GIT_REMOTE_BASE nothing is pushed and the message says how to get a remote", async (context) => {
    const { h, executor, github } = await world(context, { remote: false });
    const result = await executor.runOnce({ slug: "todo" });
    expect(result).toMatchObject({
      ok: true,
      runs: [{ outcome: "complete", message: expect.stringContaining("GIT_REMOTE_BASE is not set") }],
    });
    expect(await h.entry("todo")).toMatchObject({
      status: "complete",
      delivery: { ok: false, pushed: false, hint: expect.stringContaining("and deliver it again") },
    });
    expect(github!.requests).toHaveLength(0);
    // The summary names the workspace's path on the server: a chat member reads what failed and whom to tell.
    const notice = deliveryReply(await recordOf(h), deliverySetupOf(h.config));
    expect(notice.text).toBe(
      "**todo** could not be fully delivered: planbot has no remote repository to push branch `ralph/todo` to, so the work stays on planbot's server\nWhat to do: Please tell planbot's admin: only they can give planbot the remote repository it pushes to. Once they have, deliver it again: `/deliver todo`.",
    );
    expect(notice.text).not.toContain(h.config.workspaceDir);
    expect(notice.operatorText).toContain("GIT\\_REMOTE\\_BASE is not set");
  });
});

async function recordOf(h: Awaited<ReturnType<typeof createHarness>>) {
  const got = await h.lister.get("todo");
  const record = got.ok ? got.record : undefined;
  if (!record) throw new Error("expected the project's record");
  return record;
}

async function waitForStatus(h: Awaited<ReturnType<typeof createHarness>>, status: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if ((await h.entry("todo")).status === status) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`todo never became ${status}`);
}
