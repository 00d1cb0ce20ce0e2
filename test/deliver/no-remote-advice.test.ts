// The default set-up has no GIT_REMOTE_BASE, so a newcomer's first complete run ends in "not pushed". The
// advice the operator then reads (the terminal's notice and /status card) must lead somewhere: running the
// project again does not (a complete project is not run again, and a run never turns a workspace made
// without a remote into a clone). Followed as written — an origin for the workspace, then `planbot projects
// deliver` — it pushes the run's branch. The run, the chat and the delivery are real `bin/planbot` children.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { fakeRalphPath } from "../fakes/paths.ts";
import { git, samplePrd, writePlanningArtifacts } from "../helpers/git-fixtures.ts";
import { baseEnv, runPlanbotChild } from "../helpers/planbot-child.ts";
import { runPlanbot } from "../cli/planbot-process.ts";
import { createHarness } from "../execute/harness.ts";
import { useHarnessTemp } from "../execute/use-harness-temp.ts";

const temp = useHarnessTemp();

describe("a complete run without GIT_REMOTE_BASE", { timeout: 120_000 }, () => {
  it("advises an origin for the workspace and delivering again, which pushes the branch; not running it again", async (context) => {
    const root = await temp.make("no-remote-");
    const ralphCommand = `${fakeRalphPath} --tool claude 10`;
    const h = await createHarness(temp, { root: join(root, "planbot"), ralphCommand });
    context.onTestFinished(() => h.cleanup());
    await writePlanningArtifacts(h.config.workspaceDir, "todo", { prd: samplePrd("todo", 2) });
    await h.approve("todo");
    const env = {
      ...baseEnv,
      PLANBOT_DATA_DIR: h.config.dataDir,
      RALPH_COMMAND: ralphCommand,
      FAKE_RALPH_DELAY_MS: "20",
      LOG_LEVEL: "warn",
    };

    const run = await runPlanbotChild(["execute", "todo"], root, env);
    expect(run.stdout).toContain("todo: complete (2/2 stories)");
    expect(run.stdout).toContain("ralph/todo was not pushed: GIT_REMOTE_BASE is not set");

    const ws = workspacePaths(h.config.workspaceDir, "todo");
    const chat = await runPlanbot(["chat"], { cwd: root, env, input: "/status todo\n" });
    // The terminal is the operator's chat: its /status card carries the whole advice.
    const advice = `Push ralph/todo from the workspace by hand, or set GIT_REMOTE_BASE (e.g. https://github.com/<owner>), make GIT_REMOTE_BASE/<repo> the workspace's origin (git -C ${ws.root} remote add origin <url>) and deliver it again.`;
    expect(chat.stdout).toContain(advice);
    expect(chat.stdout).not.toContain("run the project again");
    // planbot projects show, the shell's card, says the same: what failed and the whole advice.
    const shown = await runPlanbot(["projects", "show", "todo"], { cwd: root, env });
    expect(shown.stdout).toMatch(/^delivery failed: .*: ralph\/todo was not pushed: GIT_REMOTE_BASE is not set/m);
    expect(shown.stdout).toContain(` — ${advice}`);

    // Delivering before GIT_REMOTE_BASE is set is a set-up problem (exit 1), not a conflict with the project.
    const early = await runPlanbot(["projects", "deliver", "todo"], { cwd: root, env });
    expect(early.exitCode).toBe(1);
    expect(early.stderr).toContain(
      "planbot has no remote to push the work to: GIT_REMOTE_BASE, which planbot's admin sets, is not set.",
    );

    // Followed as written.
    const remotes = join(root, "remotes");
    await mkdir(remotes);
    await git(remotes, ["init", "--bare", "--quiet", "todo"]);
    await git(ws.root, ["remote", "add", "origin", join(remotes, "todo")]);
    const delivered = await runPlanbotChild(["projects", "deliver", "todo"], root, {
      ...env,
      GIT_REMOTE_BASE: remotes,
    });
    expect(delivered.stdout).toContain(`todo: pushed ralph/todo to ${join(remotes, "todo")}`);
    expect(delivered.exitCode).toBe(0);
    const after = await runPlanbot(["projects", "show", "todo"], { cwd: root, env });
    expect(after.stdout).toMatch(/^delivered: .*: pushed ralph\/todo to /m);
    expect(await git(join(remotes, "todo"), ["rev-parse", "refs/heads/ralph/todo"])).toBe(
      await git(ws.root, ["rev-parse", "refs/heads/ralph/todo"]),
    );
  });
});
