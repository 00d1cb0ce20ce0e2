import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Clock } from "../../src/projects/clock.ts";
import {
  deriveStatus,
  etaSeconds,
  PROJECT_STATUSES,
  storyProgress,
  type ProjectStatus,
} from "../../src/projects/derive-status.ts";
import { procProbe, type ProcessInfo } from "../../src/projects/process-probe.ts";
import { createProjectLister } from "../../src/projects/project-list.ts";
import { createProjectStore } from "../../src/projects/project-store.ts";
import { ralphSignature } from "../../src/projects/ralph-signature.ts";
import type { LoosePrd, ProjectEntry } from "../../src/projects/schemas.ts";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { createTempDirs, makeTempDir, removeTempDir } from "../helpers/temp-dir.ts";

const clock: Clock = { now: () => new Date("2025-03-01T12:00:00.000Z") };
const DEAD: ProcessInfo = { alive: false, commandLine: "" };
const RALPH: ProcessInfo = { alive: true, commandLine: "/bin/bash scripts/ralph/ralph.sh --tool claude 10" };
const MANUAL: ProcessInfo = { alive: true, commandLine: "node server.js" };
/** What /proc/<pid>/cmdline reads while the process is inside execve. */
const BETWEEN_PROGRAMS: ProcessInfo = { alive: true, commandLine: "" };

const story = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  title: `Story ${id}`,
  passes: false,
  ...extra,
});
const prdOf = (...stories: Array<Record<string, unknown>>): LoosePrd => ({
  branchName: "ralph/x",
  userStories: stories,
});
const ALL_PASS = prdOf(story("US-1", { passes: true }), story("US-2", { passes: true }));
const ALL_BLOCKED = prdOf(
  story("US-1", { passes: true }),
  story("US-2", { blocked: true }),
  story("US-3", { blocked: true }),
);
const SOME_FAILED = prdOf(story("US-1", { failed: true }), story("US-2"));
const PARTIAL = prdOf(story("US-1", { passes: true }), story("US-2"));

describe("deriveStatus: the seed's nine states and their precedence", () => {
  const table: Array<{
    why: string;
    entry?: Partial<ProjectEntry>;
    prd?: LoosePrd | null;
    process?: ProcessInfo;
    want: ProjectStatus;
  }> = [
    {
      why: "live PID running ralph.sh",
      entry: { status: "approved", pid: 10 },
      prd: ALL_PASS,
      process: RALPH,
      want: "running-ralph",
    },
    {
      why: "live PID running something else",
      entry: { status: "pending", pid: 10 },
      prd: ALL_PASS,
      process: MANUAL,
      want: "running-manual",
    },
    {
      why: "planbot's recorded Ralph inside execve (command line reads empty) stays running-ralph",
      entry: { status: "running", pid: 10 },
      process: BETWEEN_PROGRAMS,
      want: "running-ralph",
    },
    {
      why: "a live PID planbot did not record as Ralph's, command line empty: running-manual",
      entry: { status: "approved", pid: 10 },
      process: BETWEEN_PROGRAMS,
      want: "running-manual",
    },
    {
      why: "a live PID wins over a cancelled entry",
      entry: { status: "cancelled", pid: 10 },
      process: MANUAL,
      want: "running-manual",
    },
    { why: "entry planning beats a finished PRD", entry: { status: "planning" }, prd: ALL_PASS, want: "planning" },
    { why: "entry approved", entry: { status: "approved" }, prd: SOME_FAILED, want: "approved" },
    { why: "entry pending", entry: { status: "pending" }, prd: ALL_BLOCKED, want: "pending" },
    { why: "entry status compared case-insensitively", entry: { status: "APPROVED" }, want: "approved" },
    { why: "entry failed beats a passing PRD", entry: { status: "failed" }, prd: ALL_PASS, want: "failed" },
    {
      why: "entry cancelled reads as cancelled, never idle, even with a finished PRD",
      entry: { status: "cancelled" },
      prd: ALL_PASS,
      want: "cancelled",
    },
    { why: "entry canceled (US spelling)", entry: { status: "canceled" }, prd: SOME_FAILED, want: "cancelled" },
    {
      why: "entry complete falls through to the PRD (all pass)",
      entry: { status: "complete" },
      prd: ALL_PASS,
      want: "complete",
    },
    {
      why: "entry complete falls through to the PRD (not all pass)",
      entry: { status: "complete" },
      prd: PARTIAL,
      want: "idle",
    },
    { why: "entry completed falls through too", entry: { status: "completed" }, prd: ALL_BLOCKED, want: "blocked" },
    {
      why: "dead PID falls through to the entry",
      entry: { status: "approved", pid: 10 },
      process: DEAD,
      want: "approved",
    },
    { why: "PRD: every story passes", prd: ALL_PASS, want: "complete" },
    { why: "PRD: every incomplete story blocked", prd: ALL_BLOCKED, want: "blocked" },
    {
      why: "PRD: blocked beats failed when every incomplete one is blocked",
      prd: prdOf(story("US-1", { blocked: true, failed: true })),
      want: "blocked",
    },
    { why: "PRD: a failed story", prd: SOME_FAILED, want: "failed" },
    {
      why: "PRD: a passing story that also says failed still counts as failed",
      prd: prdOf(story("US-1", { passes: true, failed: true }), story("US-2")),
      want: "failed",
    },
    { why: "PRD: partial progress", prd: PARTIAL, want: "idle" },
    { why: "PRD with no stories", prd: prdOf(), want: "idle" },
    { why: "no PRD, unknown entry status", entry: { status: "running" }, want: "idle" },
    { why: "nothing at all", want: "idle" },
  ];

  it.each(table)("$why → $want", ({ entry, prd, process, want }) => {
    expect(deriveStatus({ entry: entry as ProjectEntry | undefined, prd, process: process ?? DEAD })).toBe(want);
  });

  it("the table reaches every one of the ten statuses", () => {
    expect(new Set(table.map((row) => row.want))).toEqual(new Set(PROJECT_STATUSES));
    expect(PROJECT_STATUSES).toHaveLength(10);
  });

  it("story progress, blocked/failed ids and the seed's 12-minute ETA", () => {
    const prd = prdOf(
      story("US-1", { passes: true }),
      story("US-2", { blocked: true }),
      { title: "untitled id", failed: true },
      { passes: false, failed: true },
      story("US-5", { passes: true, failed: true }),
    );
    const progress = storyProgress(prd);
    expect(progress).toEqual({ total: 5, done: 2, blocked: ["US-2"], failed: ["untitled id", "#4"] });
    expect(etaSeconds(progress, "approved")).toBe(3 * 12 * 60);
    expect(etaSeconds(progress, "running-ralph")).toBe(3 * 12 * 60);
    expect(etaSeconds(storyProgress(ALL_PASS), "running-manual")).toBe(0);
    expect(etaSeconds(storyProgress(null), "approved")).toBeNull();
    // Nobody works towards a finish on these: no ETA.
    for (const status of ["failed", "blocked", "complete", "cancelled", "idle", "pending", "planning"] as const)
      expect(etaSeconds(progress, status)).toBeNull();
  });
});

/** Real processes for the probe: each in its own process group, which afterAll kills by id. */
const children: ResultPromise[] = [];
let scriptDir: string;

function spawn(file: string, args: string[]): ResultPromise {
  const child = execa(file, args, { reject: false, stdin: "ignore", detached: true });
  children.push(child);
  return child;
}

async function waitUntil(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function cmdline(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")).replace(/\0/g, " ");
}

async function procState(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
}

beforeAll(async () => {
  scriptDir = await makeTempDir("ralph-script-");
});

afterAll(async () => {
  for (const child of children) {
    try {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  await Promise.all(children);
  await removeTempDir(scriptDir);
});

describe("procProbe on real processes", () => {
  it("exec -a ralph.sh: alive with ralph.sh in the command line", async () => {
    const child = spawn("bash", ["-c", "exec -a ralph.sh sleep 30"]);
    await waitUntil(async () => (await cmdline(child.pid!)).startsWith("ralph.sh"), "exec -a");
    const info = procProbe.inspect(child.pid);
    expect(info).toEqual({ alive: true, commandLine: "ralph.sh 30" });
    expect(deriveStatus({ entry: { status: "approved", pid: child.pid! }, process: info })).toBe("running-ralph");
  });

  it("a script file named ralph.sh: running-ralph", async () => {
    const script = join(scriptDir, "ralph.sh");
    await writeFile(script, "#!/usr/bin/env bash\nsleep 30\n");
    await chmod(script, 0o755);
    const child = spawn(script, []);
    await waitUntil(async () => (await cmdline(child.pid!)).includes("ralph.sh"), "ralph.sh script");
    const info = procProbe.inspect(child.pid);
    expect(info.alive).toBe(true);
    expect(info.commandLine).toContain(script);
    expect(deriveStatus({ entry: { status: "pending", pid: child.pid! }, process: info })).toBe("running-ralph");
  });

  it("RALPH_COMMAND's own script is running-ralph; a file of a like name, or another bash, is not", async () => {
    const loop = join(scriptDir, "tools", "loop");
    await mkdir(loop, { recursive: true });
    for (const name of ["agent.sh", "notes-agent.sh"]) {
      await writeFile(join(loop, name), "#!/bin/sh\nsleep 30\n");
      await chmod(join(loop, name), 0o755);
    }
    const own = spawn(join(loop, "agent.sh"), ["5"]);
    const alike = spawn(join(loop, "notes-agent.sh"), []);
    const underBash = spawn("bash", [join(loop, "agent.sh")]);
    const inlineBash = spawn("bash", ["-c", "sleep 30; true"]);
    for (const child of [own, alike, underBash, inlineBash])
      await waitUntil(async () => /sleep|\.sh/.test(await cmdline(child.pid!)), "the scripts to run");
    const status = (pid: number, command?: string) =>
      deriveStatus({
        entry: { status: "approved", pid },
        process: procProbe.inspect(pid),
        ...(command ? { isRalph: ralphSignature(command) } : {}),
      });

    expect(status(own.pid!, "tools/loop/agent.sh 5")).toBe("running-ralph");
    expect(status(own.pid!, "/srv/ralph/agent.sh 5")).toBe("running-ralph");
    // Only the configured script is Ralph: snarktank's ralph.sh is not then, and agent.sh is not by default.
    expect(status(own.pid!, "scripts/ralph/ralph.sh --tool claude 10")).toBe("running-manual");
    expect(status(own.pid!)).toBe("running-manual");
    expect(status(alike.pid!, "tools/loop/agent.sh 5")).toBe("running-manual");
    // `bash tools/loop/agent.sh`: a recycled PID running some other bash is not Ralph.
    expect(status(underBash.pid!, "bash tools/loop/agent.sh")).toBe("running-ralph");
    expect(status(inlineBash.pid!, "bash tools/loop/agent.sh")).toBe("running-manual");
  });

  it("a wrapper of the operator's that execs into ralph.sh stays Ralph once its own name is gone", async () => {
    const tools = join(scriptDir, "wrapper");
    await mkdir(join(tools, "scripts", "ralph"), { recursive: true });
    const ralph = join(tools, "scripts", "ralph", "ralph.sh");
    await writeFile(ralph, "#!/usr/bin/env bash\nsleep 30\n");
    await writeFile(join(tools, "run-ralph.sh"), `#!/usr/bin/env bash\nexec ${ralph} "$@"\n`);
    for (const file of [ralph, join(tools, "run-ralph.sh")]) await chmod(file, 0o755);
    const wrapped = spawn(join(tools, "run-ralph.sh"), ["--tool", "claude", "5"]);
    await waitUntil(
      async () => (await cmdline(wrapped.pid!)).includes("/ralph/ralph.sh --tool"),
      "the exec into ralph.sh",
    );
    const info = procProbe.inspect(wrapped.pid);
    expect(info.commandLine).not.toContain("run-ralph.sh");
    expect(
      deriveStatus({
        entry: { status: "approved", pid: wrapped.pid! },
        process: info,
        isRalph: ralphSignature("tools/run-ralph.sh 5"),
      }),
    ).toBe("running-ralph");
    // The wrapper's name alone is not enough for an unrelated process.
    const other = spawn("sleep", ["30"]);
    await waitUntil(async () => (await cmdline(other.pid!)).startsWith("sleep"), "sleep");
    expect(
      deriveStatus({
        entry: { status: "approved", pid: other.pid! },
        process: procProbe.inspect(other.pid),
        isRalph: ralphSignature("tools/run-ralph.sh 5"),
      }),
    ).toBe("running-manual");
  });

  it("another live process: running-manual", async () => {
    const child = spawn("sleep", ["30"]);
    await waitUntil(async () => (await cmdline(child.pid!)).startsWith("sleep"), "sleep");
    const info = procProbe.inspect(child.pid);
    expect(info).toEqual({ alive: true, commandLine: "sleep 30" });
    expect(deriveStatus({ entry: { status: "approved", pid: child.pid! }, process: info })).toBe("running-manual");
  });

  it("a dead PID is not alive, so the entry's own status shows", async () => {
    const child = execa("true", [], { reject: false });
    const pid = child.pid!;
    await child;
    await waitUntil(async () => (await procState(pid)) === "", "the process to be reaped");
    expect(procProbe.inspect(pid)).toEqual({ alive: false, commandLine: "" });
    expect(deriveStatus({ entry: { status: "approved", pid }, process: procProbe.inspect(pid) })).toBe("approved");
  });

  it("a zombie (exited, not reaped) counts as dead even though signal 0 still reaches it", async () => {
    // The background child outlives bash's exec into `sleep`, which never reaps it.
    const parent = spawn("bash", ["-c", "sleep 0.2 & echo $!; exec sleep 30"]);
    let output = "";
    parent.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    await waitUntil(() => /^\d+\n/.test(output), "the zombie's pid");
    const zombie = Number(output.split("\n")[0]);
    await waitUntil(async () => (await procState(zombie)) === "Z", "the child to become a zombie");
    expect(() => process.kill(zombie, 0)).not.toThrow();
    expect(procProbe.inspect(zombie).alive).toBe(false);
    expect(deriveStatus({ entry: { status: "pending", pid: zombie }, process: procProbe.inspect(zombie) })).toBe(
      "pending",
    );
  });

  it("no PID, zero, negative or fractional: dead without probing", () => {
    for (const pid of [null, undefined, 0, -1, 1.5, Number.NaN])
      expect(procProbe.inspect(pid)).toEqual({ alive: false, commandLine: "" });
  });
});

describe("the unified list shows each derived status (real store, workspaces and processes)", () => {
  const temp = createTempDirs();
  afterEach(() => temp.cleanup());

  it("one project per status", async () => {
    const root = await temp.make("status-table-");
    const dataDir = join(root, "data");
    const workspaceDir = join(root, "workspace");
    const ralph = spawn("bash", ["-c", "exec -a ralph.sh sleep 30"]);
    const manual = spawn("sleep", ["30"]);
    await waitUntil(
      async () =>
        (await cmdline(ralph.pid!)).startsWith("ralph.sh") && (await cmdline(manual.pid!)).startsWith("sleep"),
      "processes",
    );
    const dead = execa("true", [], { reject: false });
    const deadPid = dead.pid!;
    await dead;

    const prds: Record<string, LoosePrd> = {
      "p-complete": ALL_PASS,
      "p-blocked": ALL_BLOCKED,
      "p-failed-prd": SOME_FAILED,
      "p-idle": PARTIAL,
      "p-ralph": PARTIAL,
      "p-dead": PARTIAL,
    };
    for (const [slug, prd] of Object.entries(prds)) {
      const paths = workspacePaths(workspaceDir, slug);
      await mkdir(paths.ralph, { recursive: true });
      await writeFile(paths.prd, JSON.stringify(prd));
    }
    await mkdir(join(workspaceDir, "p-empty-folder"), { recursive: true });

    const store = createProjectStore({ dataDir, clock });
    const entries: ProjectEntry[] = [
      { name: "p-ralph", status: "approved", pid: ralph.pid! },
      { name: "p-manual", status: "pending", pid: manual.pid! },
      { name: "p-planning", status: "planning" },
      { name: "p-approved", status: "approved" },
      { name: "p-pending", status: "pending" },
      { name: "p-failed", status: "failed", error: "exit 1" },
      { name: "p-dead", status: "cancelled", pid: deadPid },
      { name: "p-complete", status: "complete" },
    ];
    expect((await store.mutate((file) => (file.projects.push(...entries), { ok: true }))).ok).toBe(true);

    const result = await createProjectLister({ store, clock, workspaceDir }).list();
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const statuses = Object.fromEntries(result.list.projects.map((project) => [project.slug, project.status]));
    expect(statuses).toEqual({
      "p-approved": "approved",
      "p-blocked": "blocked",
      "p-complete": "complete",
      "p-dead": "cancelled",
      "p-empty-folder": "idle",
      "p-failed": "failed",
      "p-failed-prd": "failed",
      "p-idle": "idle",
      "p-manual": "running-manual",
      "p-pending": "pending",
      "p-planning": "planning",
      "p-ralph": "running-ralph",
    });
    expect(new Set(Object.values(statuses))).toEqual(new Set(PROJECT_STATUSES));
  });
});
