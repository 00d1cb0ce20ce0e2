import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { approvedInOrder } from "../../src/execute/approval-order.ts";
import { ralphEnv } from "../../src/execute/ralph-env.ts";
import { judgeRun, readLogTail } from "../../src/execute/outcome.ts";
import { resolveRalphCommand } from "../../src/execute/ralph-command.ts";
import { parseRemoteBase, redactUrl, remoteUrlFor, sameRemote } from "../../src/execute/remote-url.ts";
import { describePlan, planRun, type ExecutorConfig } from "../../src/execute/run-plan.ts";
import { nextOccurrence, scheduleDaily } from "../../src/execute/schedule.ts";
import type { ProjectEntry } from "../../src/projects/schemas.ts";
import { samplePrd, waitUntil, writePlanningArtifacts } from "../helpers/git-fixtures.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
afterAll(() => temp.cleanup());

describe("GIT_REMOTE_BASE + repo", () => {
  it("joins local paths, file URLs, https and ssh remotes with exactly one slash", () => {
    expect(remoteUrlFor("/srv/git", "todo")).toBe("/srv/git/todo");
    expect(remoteUrlFor("/srv/git///", "team/todo")).toBe("/srv/git/team/todo");
    expect(remoteUrlFor("repos", "todo", "/home/me")).toBe("/home/me/repos/todo");
    expect(remoteUrlFor("file:///srv/git/", "todo")).toBe("file:///srv/git/todo");
    expect(remoteUrlFor("https://gitea.example.com/team/", "todo")).toBe("https://gitea.example.com/team/todo");
    expect(remoteUrlFor("ssh://git@gitea.example.com:2222/team", "todo")).toBe(
      "ssh://git@gitea.example.com:2222/team/todo",
    );
    expect(remoteUrlFor("git@gitea.example.com:team", "todo")).toBe("git@gitea.example.com:team/todo");
    expect(remoteUrlFor("git@gitea.example.com:", "team/todo")).toBe("git@gitea.example.com:team/todo");
  });

  it("classifies bases, compares spellings and hides credentials", () => {
    expect(parseRemoteBase("file:///srv/git")).toEqual({ kind: "file", base: "file:///srv/git", path: "/srv/git" });
    expect(parseRemoteBase("/srv/git/")).toEqual({ kind: "local", base: "/srv/git", path: "/srv/git" });
    expect(parseRemoteBase("git@host:team").kind).toBe("scp");
    expect(parseRemoteBase("https://host/team").kind).toBe("url");
    expect(sameRemote("/srv/git/todo", "file:///srv/git/todo.git")).toBe(true);
    expect(sameRemote("https://host/team/todo/", "https://host/team/todo.git")).toBe(true);
    expect(sameRemote("https://host/team/todo", "https://host/team/other")).toBe(false);
    expect(redactUrl("fatal: could not read https://bot:s3cret@gitea.example.com/team/todo")).toBe(
      "fatal: could not read https://***@gitea.example.com/team/todo",
    );
  });
});

describe("planRun", () => {
  const config = (workspaceDir: string, extra: Partial<ExecutorConfig["execute"]> = {}): ExecutorConfig => ({
    dataDir: "/data",
    workspaceDir,
    execute: {
      ralphCommand: "scripts/ralph/ralph.sh --tool claude 10",
      parallel: 1,
      gitRemoteBase: "https://gitea.example.com/team",
      ...extra,
    },
  });
  const entry = (extra: Partial<ProjectEntry> = {}): ProjectEntry => ({ name: "todo", status: "approved", ...extra });

  it("takes the branch from the entry, else prd.json's branchName, else ralph/<slug>; base defaults to main", async () => {
    const ws = await temp.make("plan-");
    const fromDefault = planRun(entry(), config(ws));
    expect(fromDefault.ok && fromDefault.plan).toMatchObject({
      branch: "ralph/todo",
      branchFrom: "default",
      base: "main",
      repo: "todo",
      remoteUrl: "https://gitea.example.com/team/todo",
      root: join(ws, "todo"),
    });
    await writePlanningArtifacts(ws, "todo", { prd: samplePrd("todo", 1, "feature/from-prd") });
    const fromPrd = planRun(entry({ repo: "team2/app", base_branch: "develop" }), config(ws));
    expect(fromPrd.ok && fromPrd.plan).toMatchObject({
      branch: "feature/from-prd",
      branchFrom: "prd",
      base: "develop",
      remoteUrl: "https://gitea.example.com/team/team2/app",
    });
    const fromEntry = planRun(entry({ branch: "mine" }), config(ws, { gitRemoteBase: undefined }));
    expect(fromEntry.ok && fromEntry.plan).toMatchObject({ branch: "mine", branchFrom: "entry", remoteUrl: null });
    expect(fromEntry.ok && describePlan(fromEntry.plan)).toMatch(
      /fresh local repository.*branch mine \(entry\) from main.*run scripts\/ralph\/ralph\.sh --tool claude 10/,
    );
    expect(fromEntry.ok && fromEntry.plan.ralph).toEqual({
      file: join(ws, "todo", "scripts/ralph/ralph.sh"),
      args: ["--tool", "claude", "10"],
      template: "/data/ralph-template/ralph.sh",
      display: "scripts/ralph/ralph.sh --tool claude 10",
    });
  });

  it("re-validates repo, branch (including prd.json's) and base before git sees them", async () => {
    const ws = await temp.make("plan-");
    const badRepo = planRun(entry({ repo: "../etc" }), config(ws));
    expect(badRepo).toMatchObject({
      ok: false,
      code: "validation_failed",
      message: expect.stringContaining('repo "../etc" is not valid'),
    });
    expect(planRun(entry({ branch: "--upload-pack=evil" }), config(ws))).toMatchObject({
      ok: false,
      message: expect.stringContaining('starts with "-"'),
    });
    expect(planRun(entry({ base_branch: "a..b" }), config(ws))).toMatchObject({
      ok: false,
      message: expect.stringContaining("base"),
    });
    await writePlanningArtifacts(ws, "todo", { prd: samplePrd("todo", 1, "bad branch") });
    expect(planRun(entry(), config(ws))).toMatchObject({
      ok: false,
      message: expect.stringContaining('prd.json branchName "bad branch"'),
    });
  });
});

describe("RALPH_COMMAND", () => {
  it("splits with quotes; relative paths are per-workspace, absolute ones outside are templates, bare names use PATH", () => {
    const rel = resolveRalphCommand(`scripts/ralph/ralph.sh --tool claude "10"`, "/ws/todo", "/data");
    expect(rel.ok && rel.spec).toEqual({
      file: "/ws/todo/scripts/ralph/ralph.sh",
      args: ["--tool", "claude", "10"],
      template: "/data/ralph-template/ralph.sh",
      display: "scripts/ralph/ralph.sh --tool claude 10",
    });
    const abs = resolveRalphCommand("'/opt/my ralph/ralph.sh' 5", "/ws/todo", "/data");
    expect(abs.ok && abs.spec).toEqual({
      file: "/ws/todo/scripts/ralph/ralph.sh",
      args: ["5"],
      template: "/opt/my ralph/ralph.sh",
      templateNamed: true,
      display: "scripts/ralph/ralph.sh 5",
    });
    const bare = resolveRalphCommand("ralph --tool amp", "/ws/todo", "/data");
    expect(bare.ok && bare.spec).toMatchObject({ file: "ralph", template: null });
    expect(resolveRalphCommand(`ralph.sh "unbalanced`, "/ws/todo", "/data")).toMatchObject({
      ok: false,
      message: expect.stringContaining("quotes"),
    });
    expect(resolveRalphCommand("   ", "/ws/todo", "/data")).toMatchObject({
      ok: false,
      message: expect.stringContaining("empty"),
    });
  });
});

describe("judging a finished run (the seed's story rules)", () => {
  const prd = (stories: Array<Record<string, unknown>>) => ({ userStories: stories });
  it("complete / blocked / failed, with exit code and output tail in error", () => {
    expect(
      judgeRun({
        prd: prd([
          { id: "A", passes: true },
          { id: "B", passes: true },
        ]),
        exitCode: 1,
      }),
    ).toEqual({ status: "complete", error: null, summary: "complete (2/2 stories)" });
    const blocked = judgeRun({
      prd: prd([
        { id: "A", passes: true },
        { id: "B", passes: false, blocked: true },
      ]),
      exitCode: 1,
      tail: "blocked: B",
    });
    expect(blocked).toMatchObject({
      status: "blocked",
      summary: "blocked (1/2 stories; blocked stories: B; exit code 1)",
    });
    expect(blocked.error).toBe("blocked stories: B; exit code 1\n--- last lines of Ralph's output ---\nblocked: B");
    expect(
      judgeRun({
        prd: prd([
          { id: "A", passes: false, failed: true },
          { id: "B", passes: false },
        ]),
        exitCode: 1,
      }),
    ).toMatchObject({ status: "failed", error: "failed stories: A; exit code 1" });
    expect(judgeRun({ prd: prd([{ id: "A", passes: false }]), exitCode: 0 })).toMatchObject({
      status: "failed",
      error: "0/1 stories pass; exit code 0",
    });
    expect(
      judgeRun({
        prd: prd([{ id: "A", passes: false }]),
        exitCode: null,
        signal: "SIGTERM",
        note: "stopped by planbot",
      }).error,
    ).toBe("0/1 stories pass; killed by SIGTERM; stopped by planbot");
    expect(judgeRun({ prd: null, exitCode: null }).error).toMatch(
      /^prd\.json is missing or unreadable; exit code unknown/,
    );
  });

  it("reads the last lines of a log", async () => {
    const dir = await temp.make("tail-");
    const path = join(dir, "ralph.log");
    await writeFile(path, Array.from({ length: 50 }, (_, i) => `line ${i + 1}`).join("\n") + "\n\n");
    expect((await readLogTail(path, 20)).split("\n")).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i + 31}`));
    expect(await readLogTail(join(dir, "missing.log"))).toBe("");
  });
});

describe("executor helpers", () => {
  it("orders approved projects by approved_at (missing last, file order breaks ties)", () => {
    const entries: ProjectEntry[] = [
      { name: "late", status: "approved", approved_at: "2030-01-03T00:00:00Z" },
      { name: "pending", status: "pending", approved_at: "2030-01-01T00:00:00Z" },
      { name: "never", status: "approved", approved_at: null },
      { name: "early", status: "Approved", approved_at: "2030-01-01T00:00:00Z" },
      { name: "tie", status: "approved", approved_at: "2030-01-01T00:00:00Z" },
    ];
    expect(approvedInOrder(entries).map((e) => e.name)).toEqual(["early", "tie", "late", "never"]);
  });

  it("keeps planbot's tokens out of Ralph's environment", () => {
    expect(
      ralphEnv({
        PATH: "/bin",
        DISCORD_TOKEN: "x",
        TELEGRAM_TOKEN: "y",
        DASHBOARD_TOKEN: "z",
        FAKE_RALPH_MODE: "hang",
      }),
    ).toEqual({ PATH: "/bin", FAKE_RALPH_MODE: "hang" });
  });
});

describe("EXECUTE_AT schedule", () => {
  it("computes the next local HH:MM strictly after a time", () => {
    const at = new Date(2030, 0, 1, 2, 30, 0, 0);
    expect(nextOccurrence("02:30", new Date(2030, 0, 1, 1, 0))).toEqual(at);
    expect(nextOccurrence("02:30", at)).toEqual(new Date(2030, 0, 2, 2, 30));
    expect(nextOccurrence("00:00", new Date(2030, 11, 31, 23, 59))).toEqual(new Date(2031, 0, 1, 0, 0));
    expect(() => nextOccurrence("24:00", at)).toThrow(/HH:MM/);
  });

  it("fires once when the clock reaches the time, never early, not again on a standing clock, not after stop", async () => {
    let now = new Date(2030, 0, 1, 10, 0, 0);
    const clock = { now: () => now };
    let runs = 0;
    const schedule = scheduleDaily({ at: "10:05", clock, run: async () => void (runs += 1), maxWaitMs: 10 });
    expect(schedule.next()).toEqual(new Date(2030, 0, 1, 10, 5));
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(runs).toBe(0); // timers fired and re-checked, the clock says it is not time yet
    now = new Date(2030, 0, 1, 10, 5, 0);
    await waitUntil("the daily run", () => runs === 1);
    expect(schedule.next()).toEqual(new Date(2030, 0, 2, 10, 5));
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(runs).toBe(1);
    schedule.stop();
    now = new Date(2030, 0, 2, 10, 5, 0);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(runs).toBe(1);
  });

  it("does not start a run while the previous one is still going, and reports errors", async () => {
    let now = new Date(2030, 0, 1, 9, 59, 59, 990);
    const clock = { now: () => now };
    let calls = 0;
    let release!: () => void;
    const errors: unknown[] = [];
    const schedule = scheduleDaily({
      at: "10:00",
      clock,
      maxWaitMs: 10,
      onError: (error) => errors.push(error),
      run: () => {
        calls += 1;
        if (calls === 1) return new Promise<void>((resolve) => (release = resolve));
        return Promise.reject(new Error("second run failed"));
      },
    });
    now = new Date(2030, 0, 1, 10, 0, 0);
    await waitUntil("the first run", () => calls === 1);
    now = new Date(2030, 0, 2, 10, 0, 0); // next day's time while the first is still running
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(calls).toBe(1);
    release();
    now = new Date(2030, 0, 3, 10, 0, 0);
    await waitUntil("the second run", () => calls === 2);
    await waitUntil("its error", () => errors.length === 1);
    expect(String(errors[0])).toMatch(/second run failed/);
    schedule.stop();
  });
});
