import { existsSync, readdirSync } from "node:fs";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it, type TestContext } from "vitest";
import { failureReply } from "../../src/bot/failure-reply.ts";
import { cliHint } from "../../src/cli/failure-hint.ts";
import { procProbe } from "../../src/projects/process-probe.ts";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { fakeRalphPath } from "../fakes/paths.ts";
import {
  createBareRemote,
  git,
  groupAlive,
  pushRalphToRemote,
  samplePrd,
  waitUntil,
  writePlanningArtifacts,
  type RemoteFixture,
} from "../helpers/git-fixtures.ts";
import { createHarness, type Harness } from "./harness.ts";
import { useHarnessTemp } from "./use-harness-temp.ts";

const temp = useHarnessTemp();

/**
 * Remotes shared by every test (the executor only reads them): `app` carries ralph.sh on main and has
 * `develop` and `feature/todo` branches; `no-ralph` has no Ralph script.
 */
let remotes: { app: RemoteFixture; noRalph: RemoteFixture };
beforeAll(async () => {
  const root = await temp.make("remotes-");
  remotes = {
    app: await createBareRemote(root, "app", { ralphScript: true, develop: true, branches: ["feature/todo"] }),
    noRalph: await createBareRemote(root, "no-ralph", { ralphScript: false }),
  };
});

/** A harness using the shared remotes (unless `noRemote`); cleaned up (Ralphs killed) when the test ends. */
async function world(
  context: TestContext,
  options: { noRemote?: boolean; env?: NodeJS.ProcessEnv; parallel?: number; ralphCommand?: string } = {},
) {
  const root = await temp.make("exec-");
  const remote = options.noRemote ? undefined : remotes.app;
  const harness = await createHarness(temp, {
    root,
    ...(remote ? { gitRemoteBase: remote.base } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.parallel ? { parallel: options.parallel } : {}),
    ...(options.ralphCommand ? { ralphCommand: options.ralphCommand } : {}),
  });
  context.onTestFinished(() => harness.cleanup());
  return { h: harness, remote, ws: (slug: string) => workspacePaths(harness.config.workspaceDir, slug) };
}

/** The commit whose subject is `chore: planning artifacts` on HEAD, with its parent and files. */
async function artifactsCommits(root: string) {
  const lines = (await git(root, ["log", "--format=%H %P %s", "HEAD"])).split("\n");
  return lines
    .filter((line) => line.endsWith("chore: planning artifacts"))
    .map((line) => {
      const [sha, parent] = line.split(" ");
      return { sha: sha!, parent: parent! };
    });
}

/** Planning artifacts plus an approved entry; one story unless the fake's mode needs a second (fail/block/hang act after story 1). */
async function setupProject(
  h: Harness,
  slug: string,
  extra: { repo?: string; branch?: string; base?: string } = {},
  artifacts: Parameters<typeof writePlanningArtifacts>[2] = {},
) {
  const stories = artifacts.fakeMode && artifacts.fakeMode !== "complete" ? 2 : 1;
  await writePlanningArtifacts(h.config.workspaceDir, slug, { prd: samplePrd(slug, stories), ...artifacts });
  await h.approve(slug, { repo: "app", ...extra });
}

describe.concurrent("Ralph executor with a real bare remote and the fake ralph.sh", { timeout: 60_000 }, () => {
  it("clones, branches from the base's tip with the planning artifacts committed, and records PID and status during and after a complete run", async (context) => {
    const { h, remote, ws } = await world(context, { env: { FAKE_RALPH_DELAY_MS: "150", FAKE_RALPH_COMMIT: "1" } });
    const plan = "# Plan for todo\n\nOur agreed plan.\n";
    await setupProject(h, "todo", { base: "develop" }, { plan, prd: samplePrd("todo", 3) });
    const executor = h.executor();

    const started = await executor.runNow("todo");
    expect(started).toMatchObject({
      ok: true,
      message: expect.stringMatching(
        /^Started Ralph for todo \(PID \d+\) on branch ralph\/todo of .*created branch ralph\/todo from origin\/develop, committed the planning artifacts/,
      ),
    });
    const during = await h.entry("todo");
    expect(during).toMatchObject({ status: "running", pid: expect.any(Number), error: null });
    const pid = during.pid!;
    expect((await readFile(ws("todo").pidFile, "utf8")).trim()).toBe(String(pid));
    expect(await h.status("todo")).toBe("running-ralph");
    expect(procProbe.inspect(pid)).toMatchObject({
      alive: true,
      commandLine: expect.stringContaining("scripts/ralph/ralph.sh --tool claude 10"),
    });

    await executor.waitForIdle();
    const after = await h.entry("todo");
    expect(after).toMatchObject({ status: "complete", pid: null, error: null, finished_at: expect.any(String) });
    expect(existsSync(ws("todo").pidFile)).toBe(false);
    const got = await h.lister.get("todo");
    expect(got.ok && got.record).toMatchObject({ status: "complete", stories_done: 3, stories_total: 3, pid: null });
    expect(h.finished).toEqual([expect.objectContaining({ slug: "todo", outcome: "complete", pid, exitCode: 0 })]);

    const root = ws("todo").root;
    expect(await git(root, ["symbolic-ref", "--short", "HEAD"])).toBe("ralph/todo");
    const [artifacts] = await artifactsCommits(root);
    expect(artifacts?.parent).toBe(remote!.developTip);
    expect(await git(root, ["merge-base", "HEAD", "origin/develop"])).toBe(remote!.developTip);
    expect((await git(root, ["show", "--name-only", "--format=", artifacts!.sha])).split("\n").sort()).toEqual([
      "scripts/ralph/final-plan.md",
      "scripts/ralph/prd.json",
    ]);
    expect(await git(root, ["show", `${artifacts!.sha}:scripts/ralph/final-plan.md`])).toBe(plan.trim());
    // Ralph's own commits sit on top; planbot's bookkeeping (logs, .ralph.pid) is never committed.
    expect(await git(root, ["log", "--format=%s", `${artifacts!.sha}..HEAD`])).toBe("US-3\nUS-2\nUS-1");
    expect((await git(root, ["ls-files", "scripts/ralph"])).split("\n")).toEqual(
      [".last-branch", "CLAUDE.md", "final-plan.md", "prd.json", "progress.txt", "prompt.md", "ralph.sh"].map(
        (name) => `scripts/ralph/${name}`,
      ),
    );
    const logs = readdirSync(ws("todo").logs).filter((name) => name.startsWith("ralph-"));
    expect(logs).toHaveLength(1);
    // The whole run survives the fake's `tee /dev/stderr` (which truncates a regular-file stderr): header, every iteration, the end.
    const log = await readFile(join(ws("todo").logs, logs[0]!), "utf8");
    expect(log).toMatch(
      /^planbot: .*branch ralph\/todo; running scripts\/ralph\/ralph.sh --tool claude 10\nStarting Ralph/,
    );
    for (const n of [1, 2, 3])
      expect(log).toContain(
        `Ralph Iteration ${n} of 10 (claude)\n===============================================================\niteration ${n}: working on US-${n} - Story ${n}\niteration ${n}: US-${n} passes`,
      );
    expect(log).toMatch(
      /<promise>COMPLETE<\/promise>\n\nRalph completed all tasks!\nCompleted at iteration 3 of 10\n$/,
    );

    // A second run in the same workspace: fetch, stay on the branch, commit the re-planned artifacts.
    await writeFile(ws("todo").prd, JSON.stringify({ ...samplePrd("todo", 1), description: "re-planned" }, null, 2));
    expect((await h.lifecycle.approve("todo")).ok).toBe(true);
    const again = await executor.runOnce({ slug: "todo" });
    expect(again).toMatchObject({
      ok: true,
      runs: [{ slug: "todo", outcome: "complete", message: expect.stringMatching(/^complete \(1\/1 stories\)/) }],
    });
    expect(await artifactsCommits(root)).toHaveLength(2);
    expect(await git(root, ["symbolic-ref", "--short", "HEAD"])).toBe("ralph/todo");
  });

  it("a failing Ralph is recorded as failed and a blocked one as blocked, with exit code and last output in error", async (context) => {
    const { h } = await world(context);
    await setupProject(h, "broken", {}, { fakeMode: "fail" });
    await setupProject(h, "stuck", {}, { fakeMode: "block" });
    const result = await h.executor().runOnce();
    expect(result).toMatchObject({
      ok: true,
      runs: [
        { slug: "broken", outcome: "failed", exitCode: 1 },
        {
          slug: "stuck",
          outcome: "blocked",
          exitCode: 1,
          message: expect.stringMatching(/^blocked \(1\/2 stories; blocked stories: US-2; exit code 1\)/),
        },
      ],
    });
    const broken = await h.entry("broken");
    expect(broken).toMatchObject({ status: "failed", pid: null });
    expect(broken.error).toMatch(/^failed stories: US-2; exit code 1\n--- last lines of Ralph's output ---\n/);
    expect(broken.error).toContain("error: tests failed for US-2");
    expect(broken.error!.split("\n").length).toBeLessThanOrEqual(22);
    expect(await h.status("broken")).toBe("failed");
    expect(await h.entry("stuck")).toMatchObject({
      status: "blocked",
      pid: null,
      error: expect.stringContaining("blocked: US-2"),
    });
    expect(await h.status("stuck")).toBe("blocked");
  });

  it("a hung Ralph shows as running-ralph; killed from outside (its group) or by executor.stop() it is recorded as failed", async (context) => {
    const { h, ws } = await world(context);
    await setupProject(h, "todo", {}, { fakeMode: "hang" });
    await setupProject(h, "other", {}, { fakeMode: "hang" });
    const executor = h.executor();
    expect((await executor.runNow("todo")).ok).toBe(true);
    expect((await executor.runNow("other")).ok).toBe(true);
    const pid = (await h.entry("todo")).pid!;
    const otherPid = (await h.entry("other")).pid!;
    for (const slug of ["todo", "other"]) {
      const iteration = join(ws(slug).logs, "iteration-1.log");
      await waitUntil(
        `${slug} to hang after its first story`,
        async () => existsSync(iteration) && (await readFile(iteration, "utf8")).includes("passes"),
      );
      expect(await h.status(slug)).toBe("running-ralph");
    }
    expect(groupAlive(pid) && groupAlive(otherPid)).toBe(true);

    process.kill(-otherPid, "SIGKILL");
    await waitUntil("the outside kill to be recorded", async () => (await h.entry("other")).pid === null);
    expect(await h.entry("other")).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/^1\/2 stories pass; killed by SIGKILL\n/),
    });
    expect(await h.entry("todo")).toMatchObject({ status: "running", pid });

    await executor.stop();
    await waitUntil(
      "the group (Ralph and its sleep) to be gone",
      () => !groupAlive(pid) && !groupAlive(otherPid),
      5000,
    );
    const entry = await h.entry("todo");
    expect(entry).toMatchObject({ status: "failed", pid: null });
    expect(entry.error).toMatch(/^1\/2 stories pass; killed by SIGTERM; stopped by planbot/);
    expect(await h.status("todo")).toBe("failed");
    expect(existsSync(ws("todo").pidFile)).toBe(false);
  });

  it("runs approved projects in approval order, one at a time; a failing clone fails only its project and the next one still runs", async (context) => {
    const { h, ws } = await world(context);
    await setupProject(h, "ghost", { repo: "does-not-exist" });
    for (const slug of ["charlie", "alpha"]) await setupProject(h, slug);
    await setupProject(h, "waiting");
    expect((await h.lifecycle.unapprove("waiting")).ok).toBe(true);
    const result = await h.executor().runOnce();
    expect(result.ok && result.runs.map((run) => `${run.slug}:${run.outcome}`)).toEqual([
      "ghost:failed",
      "charlie:complete",
      "alpha:complete",
    ]);
    const [ghost, c, a] = await Promise.all(["ghost", "charlie", "alpha"].map((slug) => h.entry(slug)));
    expect(ghost!.finished_at! < c!.started_at!).toBe(true);
    expect(c!.finished_at! < a!.started_at!).toBe(true);
    expect(await h.entry("waiting")).toMatchObject({ status: "pending", started_at: null });

    expect(ghost).toMatchObject({ status: "failed", pid: null });
    expect(ghost!.error).toMatch(
      /^could not clone .*remotes\/does-not-exist: git clone --no-local --no-checkout --quiet failed \(exit 128\): fatal: .*does-not-exist/,
    );
    expect(await h.status("ghost")).toBe("failed");
    expect(existsSync(join(ws("ghost").root, ".git"))).toBe(false);
    expect(existsSync(ws("ghost").finalPlan) && existsSync(ws("ghost").prd)).toBe(true);
    expect(readdirSync(h.config.workspaceDir).sort()).toEqual(["alpha", "charlie", "ghost", "waiting"]);
    expect(h.finished.map((report) => `${report.slug}:${report.outcome}`)).toEqual([
      "ghost:failed",
      "charlie:complete",
      "alpha:complete",
    ]);
  });

  // Each wait below is for runs to be prepared (clone, branch, commit, spawn: a dozen git processes),
  // ~1 s on an idle machine, 9-12 s measured with two busy loops beside this file's other tests, so the
  // 15 s default failed 6 runs in 10 under load. Nothing is raced: the net is just under the test's 60 s.
  const PREPARED_NET_MS = 50_000;

  it("EXECUTE_PARALLEL=2 runs two at a time, never three: the third starts when one ends", async (context) => {
    const { h } = await world(context, { parallel: 2 });
    const slugs = ["one", "two", "three"];
    for (const slug of slugs) await setupProject(h, slug, {}, { fakeMode: "hang" });
    const executor = h.executor();
    const batch = executor.runOnce();
    const alive = async () =>
      (await Promise.all(slugs.map((slug) => h.entry(slug))))
        .filter((entry) => procProbe.inspect(entry.pid).alive)
        .map((entry) => entry.name);
    await waitUntil("two runs", async () => (await alive()).length === 2, PREPARED_NET_MS);
    expect(await alive()).toEqual(["one", "two"]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await alive()).toEqual(["one", "two"]);
    expect(await h.entry("three")).toMatchObject({ status: "approved", pid: null });

    process.kill(-(await h.entry("one")).pid!, "SIGKILL");
    await waitUntil("the third run", async () => (await alive()).includes("three"), PREPARED_NET_MS);
    expect(await alive()).toEqual(["two", "three"]);
    await executor.stop();
    const result = await batch;
    expect(result.ok && result.runs.map((run) => `${run.slug}:${run.outcome}`)).toEqual([
      "one:failed",
      "two:failed",
      "three:failed",
    ]);
  });

  it("--dry-run reports remote, branch, base and command and touches nothing", async (context) => {
    const { h, remote } = await world(context);
    await setupProject(h, "todo", { base: "main" });
    await setupProject(h, "bad");
    await writeFile(workspacePaths(h.config.workspaceDir, "bad").prd, JSON.stringify(samplePrd("bad", 1, "has space")));
    const snapshot = async () => ({ store: await readFile(h.store.path, "utf8"), files: listTree(h.root) });
    const before = await snapshot();
    const result = await h.executor().runOnce({ dryRun: true });
    expect(result).toMatchObject({
      ok: true,
      runs: [
        {
          slug: "todo",
          outcome: "dry-run",
          message: `would run: remote ${remote!.base}/app; workspace ${join(h.config.workspaceDir, "todo")}; branch ralph/todo (prd) from origin/main unless it exists; run scripts/ralph/ralph.sh --tool claude 10 (ralph.sh and its prompt file are checked once the repository is cloned)`,
        },
        {
          slug: "bad",
          outcome: "failed",
          message: expect.stringContaining(
            'would fail: prd.json branchName "has space" is not a valid git branch name',
          ),
        },
      ],
    });
    expect(await snapshot()).toEqual(before);
  });

  it("checks out a feature branch that already exists on the remote instead of branching from base", async (context) => {
    const { h, remote, ws } = await world(context);
    await setupProject(h, "todo", { branch: "feature/todo" });
    const result = await h.executor().runOnce();
    expect(result).toMatchObject({ ok: true, runs: [{ outcome: "complete" }] });
    const root = ws("todo").root;
    expect(await git(root, ["symbolic-ref", "--short", "HEAD"])).toBe("feature/todo");
    expect((await artifactsCommits(root))[0]?.parent).toBe(remote!.branchTips["feature/todo"]);
    expect(await git(root, ["rev-parse", "--abbrev-ref", "feature/todo@{upstream}"])).toBe("origin/feature/todo");
    expect(existsSync(join(root, "feature-todo.txt"))).toBe(true);
  });

  it("without GIT_REMOTE_BASE makes a fresh local repository; an absolute RALPH_COMMAND is copied in as a template and kept out of commits", async (context) => {
    const { h, ws } = await world(context, { noRemote: true, ralphCommand: `${fakeRalphPath} --tool claude 10` });
    await setupProject(h, "todo");
    const result = await h.executor().runOnce({ slug: "todo" });
    expect(result).toMatchObject({ ok: true, runs: [{ outcome: "complete" }] });
    const root = ws("todo").root;
    expect(await git(root, ["symbolic-ref", "--short", "HEAD"])).toBe("ralph/todo");
    expect(await git(root, ["log", "--format=%s", "main"])).toBe("chore: initial commit");
    expect((await artifactsCommits(root))[0]?.parent).toBe(await git(root, ["rev-parse", "main"]));
    expect(existsSync(join(root, "scripts/ralph/ralph.sh"))).toBe(true);
    expect(await git(root, ["ls-files", "scripts/ralph"])).toBe("scripts/ralph/final-plan.md\nscripts/ralph/prd.json");
    expect(await git(root, ["status", "--porcelain", "--", "scripts/ralph/ralph.sh"])).toBe("");
  });

  it("a missing Ralph script fails clearly; a template in $PLANBOT_DATA_DIR/ralph-template fixes it", async (context) => {
    const { h, ws } = await world(context);
    await setupProject(h, "todo", { repo: "no-ralph" });
    const executor = h.executor();
    const missing = await executor.runNow("todo");
    expect(missing).toMatchObject({ ok: false, code: "execute_failed" });
    expect(!missing.ok && missing.message).toMatch(
      /^Ralph's script scripts\/ralph\/ralph.sh is not in the workspace .*snarktank\/ralph's ralph.sh.*ralph-template\/ralph.sh.*set RALPH_COMMAND/,
    );
    // Refused before Ralph ran: still approved, nothing recorded as a failure.
    expect(await h.entry("todo")).toMatchObject({ status: "approved", pid: null });

    // A template without its prompt file: refused for the missing CLAUDE.md (ralph.sh --tool claude feeds it to the agent).
    await mkdir(join(h.config.dataDir, "ralph-template"), { recursive: true });
    await copyFile(fakeRalphPath, join(h.config.dataDir, "ralph-template", "ralph.sh"));
    const noPrompt = await executor.runNow("todo");
    expect(!noPrompt.ok && noPrompt.message).toMatch(
      /^Ralph was not started: \/.*\/scripts\/ralph\/CLAUDE.md is missing: scripts\/ralph\/ralph.sh --tool claude feeds it to the agent on every iteration\. Fix: add snarktank\/ralph's CLAUDE.md next to scripts\/ralph\/ralph.sh/,
    );
    expect(await h.entry("todo")).toMatchObject({ status: "approved", pid: null });

    await copyFile(join(dirname(fakeRalphPath), "CLAUDE.md"), join(h.config.dataDir, "ralph-template", "CLAUDE.md"));
    expect((await executor.runNow("todo")).ok).toBe(true);
    await executor.waitForIdle();
    expect(await h.entry("todo")).toMatchObject({ status: "complete", error: null });
    expect(await git(ws("todo").root, ["ls-files", "scripts/ralph/ralph.sh"])).toBe("");
  });

  it("a run refused for a missing script runs once the owner pushes the script to the base: the untouched branch moves onto it", async (context) => {
    const { h, ws } = await world(context);
    const late = await createBareRemote(dirname(remotes.app.base), "late-ralph", { ralphScript: false });
    await setupProject(h, "todo", { repo: "late-ralph" });
    const executor = h.executor();
    expect(await executor.runNow("todo")).toMatchObject({ ok: false, code: "execute_failed" });
    const root = ws("todo").root;
    const refusedTip = await git(root, ["rev-parse", "HEAD"]);
    expect(await artifactsCommits(root)).toEqual([{ sha: refusedTip, parent: late.mainTip }]);

    const fixedMain = await pushRalphToRemote(late);
    expect((await executor.runNow("todo")).ok).toBe(true);
    await executor.waitForIdle();
    expect(await h.entry("todo")).toMatchObject({ status: "complete", error: null });
    // The planning artifacts sit on the new tip once, and the script came from the repository.
    const [artifacts, ...more] = await artifactsCommits(root);
    expect(more).toEqual([]);
    expect(artifacts!.parent).toBe(fixedMain);
    expect(await git(root, ["ls-files", "scripts/ralph/ralph.sh"])).toBe("scripts/ralph/ralph.sh");
  });

  it("refuses unknown and unapproved projects, and skips one that is already running", async (context) => {
    const { h } = await world(context);
    await setupProject(h, "todo", {}, { fakeMode: "hang" });
    await writePlanningArtifacts(h.config.workspaceDir, "idea");
    expect((await h.lifecycle.propose({ slug: "idea", description: "not approved yet" })).ok).toBe(true);
    const executor = h.executor();
    // The execute layer says what is missing as data; each surface words the way forward itself.
    const unknown = await executor.runOnce({ slug: "nope" });
    expect(unknown).toEqual({
      ok: false,
      code: "not_found",
      message: 'No project named "nope".',
      details: { slug: "nope", next: "list" },
    });
    if (unknown.ok) throw new Error("expected a failure");
    expect(cliHint(unknown)).toBe(" See them with: planbot projects list");
    expect(failureReply(unknown)).toMatchObject({
      text: expect.stringContaining('No project named "nope". `/status` lists them.'),
      actions: [{ label: "Status", command: "/status" }],
    });
    expect(await executor.runOnce({ slug: "Bad Slug" })).toMatchObject({ ok: false, code: "invalid_slug" });
    expect(await executor.runOnce({ slug: "idea" })).toMatchObject({
      ok: false,
      code: "invalid_state",
      message: '"idea" is not approved yet.',
      details: { reason: "not_approved", slug: "idea", status: "pending", next: "approve" },
    });
    expect(await executor.runNow("idea")).toMatchObject({
      ok: false,
      code: "invalid_state",
      message: '"idea" is not approved yet.',
    });
    expect(await executor.runNow("nope")).toEqual(unknown);

    expect((await executor.runNow("todo")).ok).toBe(true);
    const pid = (await h.entry("todo")).pid!;
    expect(await executor.runNow("todo")).toMatchObject({
      ok: false,
      code: "invalid_state",
      message: expect.stringContaining(`already running (PID ${pid})`),
    });
    expect(await executor.runOnce({ slug: "todo" })).toEqual({
      ok: true,
      runs: [
        {
          slug: "todo",
          outcome: "skipped",
          message: `skipped: already running (PID ${pid})`,
          pid,
          skippedBecause: "running",
        },
      ],
    });
    expect(await h.entry("todo")).toMatchObject({ status: "running", pid });
    await executor.stop();
  });

  it("a second /run while the first is still preparing Ralph says it is starting, not that it runs", async (context) => {
    const { h } = await world(context);
    await setupProject(h, "todo", {}, { fakeMode: "hang" });
    const executor = h.executor();
    const [first, second] = await Promise.all([executor.runNow("todo"), executor.runNow("todo")]);
    expect(first.ok).toBe(true);
    expect(second).toEqual({
      ok: false,
      code: "invalid_state",
      message: '"todo" is already starting: Ralph is being prepared for it, and whether it started is said next.',
      details: { slug: "todo", reason: "starting" },
    });
    await executor.stop();
  });

  it("planbot gone while Ralph runs: Ralph keeps running, a new executor records the outcome once when it ends", async (context) => {
    const { h, ws } = await world(context, { env: { FAKE_RALPH_DELAY_MS: "150" } });
    await setupProject(h, "todo");
    const first = h.executor();
    expect((await first.runNow("todo")).ok).toBe(true);
    const pid = (await h.entry("todo")).pid!;
    await first.close(); // what a dying planbot leaves behind: nobody watches this child any more

    const second = h.executor();
    expect(await second.reconcileFinishedRuns()).toEqual({ ok: true, recorded: [] });
    expect(await h.status("todo")).toBe("running-ralph");
    expect(await h.entry("todo")).toMatchObject({ status: "running", pid });
    await waitUntil("Ralph to finish", () => !procProbe.inspect(pid).alive);
    // The closed executor did not record it: the stored PID is still there until reconciled.
    expect(await h.entry("todo")).toMatchObject({ status: "running", pid });

    const reconciled = await second.reconcileFinishedRuns();
    expect(reconciled).toMatchObject({
      ok: true,
      recorded: [
        {
          slug: "todo",
          outcome: "complete",
          pid,
          exitCode: null,
          message: "complete (1/1 stories) (ended while planbot was not watching)",
        },
      ],
    });
    expect(await second.reconcileFinishedRuns()).toEqual({ ok: true, recorded: [] });
    expect(await h.entry("todo")).toMatchObject({ status: "complete", pid: null, error: null });
    expect(existsSync(ws("todo").pidFile)).toBe(false);
    expect(h.finished.map((report) => `${report.slug}:${report.outcome}`)).toEqual(["todo:complete"]);
  });

  it("reconciling records 'exit code unknown' for an unwatched failure", async (context) => {
    const { h } = await world(context);
    await setupProject(h, "todo", {}, { fakeMode: "fail" });
    const first = h.executor();
    expect((await first.runNow("todo")).ok).toBe(true);
    const pid = (await h.entry("todo")).pid!;
    await first.close();
    await waitUntil("Ralph to fail", () => !procProbe.inspect(pid).alive);

    const reconciled = await h.executor().reconcileFinishedRuns();
    expect(reconciled).toMatchObject({ ok: true, recorded: [{ slug: "todo", outcome: "failed", exitCode: null }] });
    expect((await h.entry("todo")).error).toMatch(
      /^failed stories: US-2; exit code unknown \(Ralph ended while planbot was not watching it\)\n--- last lines of Ralph's output ---\n[\s\S]*error: tests failed for US-2/,
    );
    expect(await h.status("todo")).toBe("failed");
  });

  it("a preparation claim of a dead planbot is dropped or taken over; a live one (another executor) is respected", async (context) => {
    const { h } = await world(context);
    const gone = execa("true");
    const dead = gone.pid!;
    await gone;
    expect(procProbe.inspect(dead).alive).toBe(false);
    const claimOf = (pid: number, token: string) => (entry: Record<string, unknown>) =>
      void (entry.executor_claim = { pid, token, since: "2030-01-01T00:00:00.000Z" });
    for (const slug of ["stale", "orphan", "busy"]) await setupProject(h, slug);
    await h.lifecycle.update("stale", claimOf(dead, "gone"));
    await h.lifecycle.update("orphan", claimOf(dead, "gone2"));
    await h.lifecycle.update("busy", claimOf(process.pid, "another-executor"));
    const executor = h.executor();

    expect(await executor.reconcileFinishedRuns()).toEqual({ ok: true, recorded: [] });
    expect(await h.entry("stale")).toMatchObject({ status: "approved" });
    expect((await h.entry("stale")).executor_claim).toBeUndefined();
    expect((await h.entry("busy")).executor_claim).toEqual({
      pid: process.pid,
      token: "another-executor",
      since: "2030-01-01T00:00:00.000Z",
    });

    expect(await executor.runOnce({ slug: "orphan" })).toMatchObject({
      ok: true,
      runs: [{ slug: "orphan", outcome: "complete" }],
    });
    expect((await h.entry("orphan")).executor_claim).toBeUndefined();
    expect(await executor.runOnce({ slug: "busy" })).toMatchObject({
      ok: true,
      runs: [
        {
          slug: "busy",
          outcome: "skipped",
          message: `skipped: "busy" is being prepared for a run by planbot PID ${process.pid} since 2030-01-01T00:00:00.000Z.`,
        },
      ],
    });
    expect(await executor.runNow("busy")).toMatchObject({
      ok: false,
      code: "invalid_state",
      message: expect.stringContaining("is being prepared for a run"),
    });
    expect(await h.entry("busy")).toMatchObject({
      status: "approved",
      pid: null,
      executor_claim: { token: "another-executor" },
    });
    expect(await h.status("busy")).toBe("approved");
  });
});

function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (path: string, prefix: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const rel = `${prefix}${entry.name}`;
      out.push(rel);
      if (entry.isDirectory()) walk(join(path, entry.name), `${rel}/`);
    }
  };
  walk(dir, "");
  return out.sort();
}
