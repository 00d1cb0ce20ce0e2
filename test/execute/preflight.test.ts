// The run preflight, branchName and the complete run log, through the real executor, real git with bare
// remotes and the fake ralph.sh (which captures every iteration with the real `tee /dev/stderr`).
import { existsSync, readdirSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, type TestContext } from "vitest";
import { runDoctorChecks } from "../../src/cli/doctor-checks.ts";
import { loadConfig } from "../../src/config.ts";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { git, groupAlive, samplePrd, waitUntil, writePlanningArtifacts } from "../helpers/git-fixtures.ts";
import { executorCliEnv, runPlanbotChild, startPlanbotChild } from "../helpers/planbot-child.ts";
import { useRalphRemote } from "../helpers/ralph-remote.ts";

const files = useRalphRemote("preflight-");

async function world(context: TestContext, env: NodeJS.ProcessEnv = {}) {
  const h = await files.harness(context, { env });
  return { h, ws: (slug: string) => workspacePaths(h.config.workspaceDir, slug) };
}

describe.concurrent("run preflight", { timeout: 90_000 }, () => {
  it("an approved project without a plan is refused with the fix — by runNow (/run), planbot execute (exit 1) and --dry-run — and stays approved", async (context) => {
    const { h, ws } = await world(context);
    await h.approve("idea", { repo: "app" });
    const now = await h.executor().runNow("idea");
    expect(now).toMatchObject({ ok: false, code: "execute_failed", details: { reason: "preflight", check: "plan" } });
    expect(!now.ok && now.message).toBe(
      "Ralph was not started: idea has no plan: Ralph works from scripts/ralph/prd.json in the workspace and there is none. Fix: plan it first (/plan idea in a chat, or the dashboard), then run it again",
    );
    expect(await h.entry("idea")).toMatchObject({ status: "approved", pid: null });
    expect(existsSync(join(ws("idea").root, ".git"))).toBe(false);

    const env = executorCliEnv(h.config.dataDir, files.remote().base);
    const run = await runPlanbotChild(["execute", "idea"], h.root, env, 60_000);
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^idea: refused: Ralph was not started: idea has no plan: .* Fix: plan it first/);
    const dry = await runPlanbotChild(["execute", "--dry-run"], h.root, env, 60_000);
    expect(dry.exitCode).toBe(1);
    expect(dry.stdout).toMatch(/^idea: would refuse: Ralph was not started: idea has no plan/);
    expect(await h.entry("idea")).toMatchObject({ status: "approved", pid: null });
  });

  it("a plan whose stories all pass, or that is not JSON, is refused with what to do", async (context) => {
    const { h, ws } = await world(context);
    const done = samplePrd("done", 1);
    done.userStories[0]!.passes = true;
    await writePlanningArtifacts(h.config.workspaceDir, "done", { prd: done });
    await h.approve("done", { repo: "app" });
    await writePlanningArtifacts(h.config.workspaceDir, "broken");
    await writeFile(ws("broken").prd, "{ not json");
    await h.approve("broken", { repo: "app" });
    const result = await h.executor().runOnce();
    expect(result).toMatchObject({
      ok: true,
      runs: [
        {
          slug: "done",
          outcome: "refused",
          message: expect.stringMatching(
            /every story in scripts\/ralph\/prd.json already passes: there is nothing for Ralph to do\. Fix: plan new work for done \(\/replan done --force\)$/,
          ),
        },
        {
          slug: "broken",
          outcome: "refused",
          message: expect.stringMatching(
            /scripts\/ralph\/prd.json is not valid JSON \(.*\)\. Fix: fix the file or plan the project again \(\/replan broken\)$/,
          ),
        },
      ],
    });
  });

  it("jq missing from Ralph's PATH is refused before anything is touched; doctor reports it", async (context) => {
    const { h, ws } = await world(context);
    const empty = await files.temp.make("no-jq-bin-");
    await writePlanningArtifacts(h.config.workspaceDir, "todo");
    await h.approve("todo", { repo: "app" });
    const result = await h.executor({ env: { ...process.env, PATH: empty } }).runNow("todo");
    expect(!result.ok && result.message).toBe(
      "Ralph was not started: jq is not on PATH, and ralph.sh reads prd.json's branchName with it. Fix: install jq (apt-get install jq, brew install jq) for the user running planbot",
    );
    expect(existsSync(join(ws("todo").root, ".git"))).toBe(false);

    const loaded = loadConfig({ PLANBOT_DATA_DIR: h.config.dataDir }, h.root);
    if (!loaded.ok) throw new Error(loaded.message);
    const without = await runDoctorChecks(loaded.config, { env: { PATH: empty }, timeoutMs: 5000 });
    expect(without).toContainEqual({
      level: "fail",
      name: "jq",
      detail: expect.stringContaining("not on PATH: ralph.sh needs it"),
    });
    const withJq = await runDoctorChecks(loaded.config, { timeoutMs: 5000 });
    expect(withJq).toContainEqual({
      level: "ok",
      name: "jq",
      detail: expect.stringMatching(/\/jq \(ralph.sh reads prd.json's branchName with it\)$/),
    });
  });

  it("as root: refused on a real host without IS_SANDBOX=1 (the fake CLI would refuse every iteration), run with IS_SANDBOX=1, and in a container planbot sets it", async (context) => {
    const { h } = await world(context, { FAKE_RALPH_UID: "0", IS_SANDBOX: "" });
    for (const slug of ["host", "sandboxed", "boxed"]) {
      await writePlanningArtifacts(h.config.workspaceDir, slug, { prd: samplePrd(slug, 1) });
      await h.approve(slug, { repo: "app" });
    }
    const host = await h.executor({ host: { uid: 0, inContainer: false } }).runNow("host");
    expect(!host.ok && host.message).toBe(
      "Ralph was not started: planbot runs as root, and the Claude CLI refuses --dangerously-skip-permissions (which ralph.sh uses) as root unless IS_SANDBOX=1. Fix: run planbot as an ordinary user; or, only if this machine is a disposable sandbox or VM, set IS_SANDBOX=1 in planbot's environment",
    );
    expect(await h.entry("host")).toMatchObject({ status: "approved" });

    const explicit = await h
      .executor({
        host: { uid: 0, inContainer: false },
        env: { ...process.env, FAKE_RALPH_DELAY_MS: "20", FAKE_RALPH_UID: "0", IS_SANDBOX: "1" },
      })
      .runOnce({ slug: "sandboxed" });
    expect(explicit).toMatchObject({ ok: true, runs: [{ outcome: "complete" }] });
    const boxed = await h.executor({ host: { uid: 0, inContainer: true } }).runOnce({ slug: "boxed" });
    expect(boxed).toMatchObject({ ok: true, runs: [{ outcome: "complete" }] });
    const log = await readFile(boxed.ok ? boxed.runs[0]!.logPath! : "", "utf8");
    expect(log.split("\n")[0]).toContain("running as root inside a container: IS_SANDBOX=1 is set for Ralph");
  });
});

describe.concurrent("branchName is the project's branch", { timeout: 90_000 }, () => {
  it("a prd.json naming another branch is corrected and committed before the run; Ralph works on the project's branch and the report names it", async (context) => {
    const { h, ws } = await world(context, { FAKE_RALPH_COMMIT: "1" });
    await writePlanningArtifacts(h.config.workspaceDir, "todo", { prd: samplePrd("todo", 2, "ralph/demo") });
    await h.approve("todo", { repo: "app", branch: "feat/x" });
    const dry = await h.executor().runOnce({ dryRun: true });
    expect(dry.ok && dry.runs[0]!.message).toContain("(would set prd.json branchName to feat/x (was ralph/demo); ");

    const result = await h.executor().runOnce({ slug: "todo" });
    expect(result).toMatchObject({
      ok: true,
      runs: [
        { outcome: "complete", message: expect.stringMatching(/^complete \(2\/2 stories\); branch feat\/x; log /) },
      ],
    });
    const root = ws("todo").root;
    expect(JSON.parse(await readFile(ws("todo").prd, "utf8")).branchName).toBe("feat/x");
    expect(await git(root, ["symbolic-ref", "--short", "HEAD"])).toBe("feat/x");
    expect(JSON.parse(await git(root, ["show", "feat/x~2:scripts/ralph/prd.json"])).branchName).toBe("feat/x");
    expect(await git(root, ["log", "--format=%s", "-3", "feat/x"])).toBe("US-2\nUS-1\nchore: planning artifacts");
    expect(await git(root, ["branch", "--list", "ralph/demo"])).toBe("");
    expect(await readFile(join(ws("todo").ralph, ".last-branch"), "utf8")).toBe("feat/x\n");
    expect(await h.entry("todo")).toMatchObject({ status: "complete", branch: "feat/x" });
  });

  it("without --branch, the branch used is recorded on the project so /status and the completion notice name it", async (context) => {
    const { h } = await world(context);
    await writePlanningArtifacts(h.config.workspaceDir, "todo", { prd: samplePrd("todo", 1, "feature/from-plan") });
    await h.approve("todo", { repo: "app" });
    expect(await h.executor().runOnce({ slug: "todo" })).toMatchObject({ ok: true, runs: [{ outcome: "complete" }] });
    const got = await h.lister.get("todo");
    expect(got.ok && got.record).toMatchObject({ status: "complete", branch: "feature/from-plan" });
  });
});

describe.concurrent("the run log", { timeout: 120_000 }, () => {
  it("holds planbot's header and every iteration of the fake's `tee /dev/stderr`, and keeps growing after planbot execute is SIGKILLed", async (context) => {
    const { h, ws } = await world(context);
    const dir = await writePlanningArtifacts(h.config.workspaceDir, "todo", { prd: samplePrd("todo", 3) });
    await h.approve("todo", { repo: "app" });
    // Each iteration waits while .fake-hold exists: planbot is killed before the first one runs.
    await writeFile(join(dir, ".fake-hold"), "");
    const env = executorCliEnv(h.config.dataDir, files.remote().base, { FAKE_RALPH_UID: "1000" });
    const child = startPlanbotChild(["execute", "todo"], h.root, env);
    const pid = await waitUntil("Ralph's PID in the store", async () => (await h.entry("todo")).pid, 60_000);
    const logs = () => readdirSync(ws("todo").logs).filter((name) => name.startsWith("ralph-"));
    await waitUntil(
      "Ralph's banner in the log",
      async () =>
        logs().length === 1 &&
        (await readFile(join(ws("todo").logs, logs()[0]!), "utf8")).includes("Ralph Iteration 1"),
    );
    child.kill("SIGKILL");
    expect((await child).signal).toBe("SIGKILL");

    await rm(join(dir, ".fake-hold"));
    await waitUntil("Ralph to finish without planbot", () => !groupAlive(pid), 60_000);
    const log = await waitUntil("the writer to finish", async () => {
      const text = await readFile(join(ws("todo").logs, logs()[0]!), "utf8");
      return text.includes("Completed at iteration") && text;
    });
    expect(log).toMatch(
      /^planbot: \S+ cloned .*; branch ralph\/todo; running scripts\/ralph\/ralph.sh --tool claude 10\nStarting Ralph - Tool: claude - Max iterations: 10\n/,
    );
    for (const n of [1, 2, 3])
      expect(log).toContain(`iteration ${n}: working on US-${n} - Story ${n}\niteration ${n}: US-${n} passes\n`);
    expect(log).toMatch(
      /Iteration 2 complete\. Continuing\.\.\.\n[\s\S]*<promise>COMPLETE<\/promise>\n\nRalph completed all tasks!\nCompleted at iteration 3 of 10\n$/,
    );
    // The next planbot records the outcome from prd.json and the complete log.
    const reconciled = await h.executor().reconcileFinishedRuns();
    expect(reconciled).toMatchObject({ ok: true, recorded: [{ slug: "todo", outcome: "complete" }] });
  });
});
