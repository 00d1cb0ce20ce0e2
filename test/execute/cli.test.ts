import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, type TestContext } from "vitest";
import { main } from "../../src/main.ts";
import { procProbe } from "../../src/projects/process-probe.ts";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { fakeClaudePath, fakeRalphPath } from "../fakes/paths.ts";
import { groupAlive, killGroups, samplePrd, waitUntil, writePlanningArtifacts } from "../helpers/git-fixtures.ts";
import { executorCliEnv, runPlanbotChild, startPlanbotChild } from "../helpers/planbot-child.ts";
import { useRalphRemote } from "../helpers/ralph-remote.ts";

/** One bare remote `app` (carrying ralph.sh) shared by every test: the executor only reads it. */
const files = useRalphRemote("exec-cli-");

/** A data dir using the shared remote, the store services in-process, and `bin/planbot` as a real child process. */
async function cli(context: TestContext, env: Record<string, string> = {}) {
  const h = await files.harness(context);
  const root = h.root;
  const remote = files.remote();
  const childEnv = executorCliEnv(h.config.dataDir, remote.base, env);
  return {
    h,
    root,
    remote,
    env: childEnv,
    start: (args: string[], extra: Record<string, string> = {}) =>
      startPlanbotChild(args, root, { ...childEnv, ...extra }),
    run: (args: string[], extra: Record<string, string> = {}) => runPlanbotChild(args, root, { ...childEnv, ...extra }),
    /** `main()` of src/main.ts in this process with the children's environment (quick exit-code checks). */
    async main(args: string[]) {
      let stdout = "";
      let stderr = "";
      const io = {
        out: (text: string) => void (stdout += text.endsWith("\n") ? text : `${text}\n`),
        err: (text: string) => void (stderr += text.endsWith("\n") ? text : `${text}\n`),
      };
      const exitCode = await main(args, io, childEnv);
      return { exitCode, stdout, stderr };
    },
    async project(slug: string, mode?: "complete" | "fail" | "block" | "hang") {
      await writePlanningArtifacts(
        h.config.workspaceDir,
        slug,
        mode ? { fakeMode: mode } : { prd: samplePrd(slug, 1) },
      );
      await h.approve(slug, { repo: "app" });
    },
  };
}

describe.concurrent("planbot execute / doctor (real child processes)", { timeout: 150_000 }, () => {
  it("execute runs approved projects to completion and prints one line each; usage, unknown and unapproved slugs get their exit codes", async (context) => {
    const c = await cli(context);
    await c.project("alpha");
    await c.project("bravo");
    expect((await c.h.lifecycle.propose({ slug: "idea", description: "later" })).ok).toBe(true);

    const dry = await c.run(["execute", "--dry-run"]);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout.split("\n")).toEqual([
      expect.stringMatching(
        new RegExp(
          `^alpha: would run: remote ${c.remote.base}/app; .*branch ralph/alpha \\(prd\\) from origin/main unless it exists; run scripts/ralph/ralph.sh --tool claude 10 \\(.*ralph.sh and its prompt file are checked once the repository is cloned\\)$`,
        ),
      ),
      expect.stringMatching(/^bravo: would run: /),
    ]);
    expect(existsSync(join(workspacePaths(c.h.config.workspaceDir, "alpha").root, ".git"))).toBe(false);

    // Exit codes through the same entry point, in-process (each child process costs a TypeScript start-up).
    const [usage, flag, missing, unapproved] = [
      await c.main(["execute", "alpha", "bravo"]),
      await c.main(["execute", "--bogus"]),
      await c.main(["execute", "nope"]),
      await c.main(["execute", "idea"]),
    ];
    expect(usage).toMatchObject({
      exitCode: 2,
      stdout: "",
      stderr: expect.stringContaining("usage: planbot execute [slug] [--dry-run]"),
    });
    expect(flag).toMatchObject({ exitCode: 2, stderr: expect.stringContaining("--bogus") });
    expect(missing).toMatchObject({
      exitCode: 4,
      stderr: expect.stringContaining('No project named "nope". See them with: planbot projects list'),
    });
    expect(unapproved).toMatchObject({
      exitCode: 3,
      stderr: expect.stringContaining('"idea" is not approved yet. Approve it first: planbot projects approve idea'),
    });

    const run = await c.run(["execute"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout.split("\n")).toEqual([
      // PUSH_ON defaults to complete: the branch is pushed to GIT_REMOTE_BASE/<repo> (README, "Delivering the work").
      expect.stringMatching(
        /^alpha: complete \(1\/1 stories\); branch ralph\/alpha; log .*alpha\/scripts\/ralph\/logs\/ralph-.*\.log; pushed ralph\/alpha to .*\/remotes\/app$/,
      ),
      expect.stringMatching(/^bravo: complete \(1\/1 stories\); branch ralph\/bravo; log /),
    ]);
    expect(await c.h.entry("alpha")).toMatchObject({ status: "complete", pid: null });
    expect(await c.h.status("bravo")).toBe("complete");
    expect(await c.main(["execute"])).toMatchObject({ exitCode: 0, stdout: "nothing to run: no approved projects\n" });
  });

  it("execute exits 1 when a project fails, after running the others", async (context) => {
    const c = await cli(context);
    await c.project("broken", "fail");
    await c.project("fine");
    const run = await c.run(["execute"]);
    expect(run.exitCode).toBe(1);
    expect(run.stdout.split("\n")).toEqual([
      expect.stringMatching(
        /^broken: failed \(1\/2 stories; failed stories: US-2; exit code 1\); branch ralph\/broken/,
      ),
      expect.stringMatching(/^fine: complete/),
    ]);
    expect(await c.h.entry("broken")).toMatchObject({
      status: "failed",
      error: expect.stringContaining("error: tests failed for US-2"),
    });
  });

  it("planbot execute killed with SIGKILL while Ralph hangs: Ralph keeps running with its PID stored and shows as running-ralph; the outcome is reconciled once it ends", async (context) => {
    const c = await cli(context);
    await c.project("todo", "hang");
    const child = c.start(["execute", "todo"]);
    const pid = await waitUntil("Ralph's PID in the store", async () => (await c.h.entry("todo")).pid, 80_000);
    try {
      const iteration = join(workspacePaths(c.h.config.workspaceDir, "todo").logs, "iteration-1.log");
      await waitUntil(
        "the fake to hang after its first story",
        async () => existsSync(iteration) && (await readFile(iteration, "utf8")).includes("passes"),
      );
      expect(child.pid).not.toBe(pid);
      child.kill("SIGKILL");
      const ended = await child;
      expect(ended.signal).toBe("SIGKILL");

      expect(procProbe.inspect(pid)).toMatchObject({ alive: true, commandLine: expect.stringContaining("ralph.sh") });
      expect(groupAlive(pid)).toBe(true);
      expect(await c.h.entry("todo")).toMatchObject({ status: "running", pid });
      expect(await c.h.status("todo")).toBe("running-ralph");
      expect((await readFile(workspacePaths(c.h.config.workspaceDir, "todo").pidFile, "utf8")).trim()).toBe(
        String(pid),
      );
      // A restarted planbot (here: a fresh executor) leaves a live run alone.
      expect(await c.h.executor().reconcileFinishedRuns()).toEqual({ ok: true, recorded: [] });
    } finally {
      killGroups([pid]);
    }
    await waitUntil("Ralph to die", () => !procProbe.inspect(pid).alive);
    const reconciled = await c.h.executor().reconcileFinishedRuns();
    expect(reconciled).toMatchObject({ ok: true, recorded: [{ slug: "todo", outcome: "failed", exitCode: null }] });
    expect((await c.h.entry("todo")).error).toMatch(/^1\/2 stories pass; exit code unknown/);
    expect(await c.h.status("todo")).toBe("failed");
  });

  it("doctor: ok lines for a working set-up, tokens reported but never printed", async (context) => {
    const c = await cli(context);
    await mkdir(join(c.root, "claude-config"), { recursive: true });
    const token = "123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    const result = await c.run(["doctor"], {
      PLANNER_COMMAND: fakeClaudePath,
      CLAUDE_CONFIG_DIR: join(c.root, "claude-config"),
      RALPH_COMMAND: `${fakeRalphPath} --tool claude 5`,
      TELEGRAM_TOKEN: token,
      DASHBOARD_TOKEN: "dashboard-secret-value",
    });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ok +config: loaded/),
        expect.stringMatching(/^ok +data dir: .*(writable|created on first use)/),
        expect.stringMatching(/^ok +workspace dir: .*(writable|created on first use)/),
        expect.stringMatching(/^ok +git: git version \d/),
        expect.stringMatching(/^ok +planner: .*2\.0\.0 \(Claude Code\)$/),
        expect.stringMatching(/^ok +ralph: .*ralph\.sh is copied into each workspace/),
        expect.stringMatching(new RegExp(`^ok +GIT_REMOTE_BASE: local folder ${c.remote.base} `)),
        "ok    discord: DISCORD_TOKEN not set (adapter off)",
        "ok    telegram: TELEGRAM_TOKEN set, TELEGRAM_NOTIFY_CHAT_ID not set (no chat notifications)",
        expect.stringMatching(/^ok +dashboard: 127\.0\.0\.1:8088, DASHBOARD_TOKEN set$/),
        expect.stringMatching(/^ok +EXECUTE_AT: not set/),
      ]),
    );
    expect(lines.every((line) => /^(ok|warn) /.test(line))).toBe(true);
    expect(result.stdout + result.stderr).not.toContain(token);
    expect(result.stdout + result.stderr).not.toContain("dashboard-secret-value");
  });

  it("doctor: fail lines (and exit 1) for a missing planner and remote base, a warning for a per-workspace Ralph without template", async (context) => {
    const c = await cli(context);
    const result = await c.run(["doctor"], {
      PLANNER_COMMAND: join(c.root, "no-such-claude"),
      GIT_REMOTE_BASE: join(c.root, "no-such-remotes"),
      EXECUTE_AT: "02:30",
    });
    expect(result.exitCode).toBe(1);
    const lines = result.stdout.split("\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^fail +planner: ".*no-such-claude" was not found: install Claude Code \(npm install -g @anthropic-ai\/claude-code\).*PLANNER_COMMAND/,
        ),
        expect.stringMatching(/^fail +GIT_REMOTE_BASE: .*no-such-remotes does not exist/),
        expect.stringMatching(
          /^warn +ralph: scripts\/ralph\/ralph\.sh is per-workspace: each project's repository must carry it .*ralph-template/,
        ),
        expect.stringMatching(/^warn +adapters: no chat adapter configured/),
        expect.stringMatching(/^ok +EXECUTE_AT: daily at 02:30 local time/),
      ]),
    );
    // A script of the operator's own is named as RALPH_COMMAND names it, with the template planbot looks for.
    const own = await c.run(["doctor"], { RALPH_COMMAND: "tools/loop/agent.sh 5" });
    const ralphLine = own.stdout.split("\n").find((line) => / ralph: /.test(line));
    expect(ralphLine).toMatch(
      /^warn +ralph: tools\/loop\/agent\.sh is per-workspace: each project's repository must carry it \(the script agent\.sh\), or put a template at \/.*\/ralph-template\/agent\.sh,/,
    );
    expect(ralphLine).not.toContain("ralph.sh");
    expect(await c.main(["doctor", "extra"])).toMatchObject({
      exitCode: 2,
      stderr: expect.stringContaining("usage: planbot doctor"),
    });
    // --json: the same checks as one array, the same exit code.
    const json = await c.main(["doctor", "--json"]);
    const checks = JSON.parse(json.stdout) as { level: string; name: string; detail: string }[];
    expect(checks.map((check) => check.name)).toEqual(expect.arrayContaining(["config", "git", "planner", "ralph"]));
    expect(json.exitCode).toBe(checks.some((check) => check.level === "fail") ? 1 : 0);
  });
});
