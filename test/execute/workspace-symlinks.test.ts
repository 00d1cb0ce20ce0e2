// Issue 14 item 1: a repository whose scripts/ralph/ holds symbolic links must not make planbot write or
// serve files outside the workspace. A real bare repository carries the links; planbot runs as a child
// process (projects propose --repo, approve, execute) and the dashboard serves the transcript.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writePlanArtifacts } from "../../src/planning/plan-writer.ts";
import { readWorkspaceText, writeWorkspaceText } from "../../src/projects/workspace-files.ts";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { startHarness, stopHarnesses } from "../http/harness.ts";
import { createBareRemote, git, samplePrd, writePlanningArtifacts } from "../helpers/git-fixtures.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { baseEnv, planbotBin as bin } from "../helpers/planbot-child.ts";

const temp = createTempDirs();
afterAll(() => temp.cleanup());

/** Every file below `dir` with its content and mode: what "nothing outside changed" compares. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      const stats = statSync(path);
      if (stats.isDirectory()) walk(path);
      else out[relative(dir, path)] = `${stats.mode.toString(8)} ${readFileSync(path, "utf8")}`;
    }
  };
  walk(dir);
  return out;
}

let root: string;
let outside: string;
let remoteBase: string;
beforeAll(async () => {
  root = await temp.make("symlinks-");
  outside = join(root, "outside");
  await mkdir(join(outside, "logs"), { recursive: true });
  await writeFile(join(outside, "pid.txt"), "precious, not a PID\n");
  await writeFile(join(outside, "logs", "keep.txt"), "someone else's folder\n");
  await writeFile(join(outside, "secret.md"), "TOP SECRET: not for the dashboard\n");
  await writeFile(join(outside, "prd.json"), JSON.stringify(samplePrd("evil", 2), null, 2));
  await writeFile(join(outside, "progress.txt"), "someone else's progress\n");
  // A repository (Ralph included) whose scripts/ralph/ links every file planbot writes or serves out of the workspace.
  const remote = await createBareRemote(root, "evil", { ralphScript: true });
  remoteBase = remote.base;
  const work = join(root, "evil-work");
  await git(root, ["clone", "--quiet", remote.path, work]);
  const links: Record<string, string> = {
    ".ralph.pid": "pid.txt",
    logs: "logs",
    "final-plan.md": "secret.md",
    "prd.json": "prd.json",
    "progress.txt": "progress.txt",
  };
  for (const [name, target] of Object.entries(links))
    await symlink(join(outside, target), join(work, "scripts", "ralph", name));
  await git(work, ["add", "-A"]);
  await git(work, ["commit", "--quiet", "-m", "links out of the workspace"]);
  await git(work, ["push", "--quiet", "origin", "main"]);
});

async function planbot(dataDir: string, args: string[]) {
  const env = {
    ...baseEnv,
    PLANBOT_DATA_DIR: dataDir,
    GIT_REMOTE_BASE: remoteBase,
    FAKE_RALPH_DELAY_MS: "20",
    LOG_LEVEL: "warn",
  };
  const result = await execa(bin, args, { cwd: root, env, extendEnv: false, reject: false, timeout: 60_000 });
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

describe.concurrent("symbolic links in a repository's scripts/ralph/", { timeout: 120_000 }, () => {
  it("propose --repo, plan, approve, execute: the cloned links are refused before Ralph starts; nothing outside the workspace changes", async () => {
    const before = snapshot(outside);
    const dataDir = await temp.make("symlinks-data-");
    expect(
      (await planbot(dataDir, ["projects", "propose", "evil", "A", "linked", "repo", "--repo", "evil"])).exitCode,
    ).toBe(0);
    // What planning leaves in the workspace (real files); the clone then brings the repository's links.
    await writePlanningArtifacts(join(dataDir, "workspace"), "evil", { prd: samplePrd("evil", 1) });
    expect((await planbot(dataDir, ["projects", "approve", "evil"])).exitCode).toBe(0);
    const run = await planbot(dataDir, ["execute", "evil"]);
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stdout).toMatch(
      /^evil: refused: Ralph was not started: scripts\/ralph\/progress\.txt in the workspace \S+ is a symbolic link \(to \S+outside\/progress\.txt\); planbot does not write or read through links in a workspace\. Remove the link from the repository's branch \(git rm scripts\/ralph\/progress\.txt\) and from the workspace\.$/,
    );
    expect(snapshot(outside)).toEqual(before);
    const show = JSON.parse((await planbot(dataDir, ["projects", "show", "evil", "--json"])).stdout);
    expect(JSON.stringify(show)).toContain('"approved"');
  });

  it("a workspace that is a clone with linked prd.json and final-plan.md: execute refuses, and the dashboard transcript does not serve the linked plan", async (context) => {
    const before = snapshot(outside);
    const harness = await startHarness({ env: { GIT_REMOTE_BASE: remoteBase } });
    context.onTestFinished(() => stopHarnesses());
    await harness.writeStore([{ name: "evil", status: "approved" }], 1);
    const ws = workspacePaths(join(harness.dir, "workspace"), "evil");
    await mkdir(join(harness.dir, "workspace"), { recursive: true });
    await git(root, ["clone", "--quiet", join(remoteBase, "evil"), ws.root]);

    const transcript = await harness.call("GET", "/api/projects/evil/plan/transcript");
    expect(transcript.status).toBe(200);
    expect(transcript.json).toMatchObject({ final_plan: "", final_plan_path: null });
    expect(transcript.text).not.toContain("TOP SECRET");

    const run = await planbot(harness.dir, ["execute", "evil"]);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(
      /^evil: refused: Ralph was not started: scripts\/ralph\/prd\.json in the workspace .* is a symbolic link/,
    );
    const dry = await planbot(harness.dir, ["execute", "--dry-run"]);
    expect(dry.stdout).toMatch(
      /^evil: would refuse: Ralph was not started: scripts\/ralph\/prd\.json .* is a symbolic link/,
    );
    expect(snapshot(outside)).toEqual(before);

    // Planning writes through none of the links: the renames replace them, the outside files stay as they were.
    await writePlanArtifacts(
      join(harness.dir, "workspace"),
      "evil",
      "# The real plan\n",
      samplePrd("evil", 1),
      "feat/evil",
    );
    expect(snapshot(outside)).toEqual(before);
    expect(await readFile(ws.finalPlan, "utf8")).toBe("# The real plan\n");
    expect(JSON.parse(await readFile(ws.prd, "utf8")).branchName).toBe("feat/evil");
    const served = await harness.call("GET", "/api/projects/evil/plan/transcript");
    expect(served.json).toMatchObject({ final_plan: "# The real plan\n", final_plan_path: ws.finalPlan });
  });

  it("the safe file helpers refuse a linked folder or file and write nothing through it", async () => {
    const ws = await temp.make("symlinks-ws-");
    const before = snapshot(outside);
    await mkdir(join(ws, "scripts"), { recursive: true });
    await symlink(outside, join(ws, "scripts", "ralph"));
    await expect(writePlanArtifacts(ws, ".", "# plan\n", samplePrd("x", 1))).rejects.toThrow(
      /scripts\/ralph in the workspace .* is a symbolic link/,
    );
    const read = await readWorkspaceText(ws, "scripts/ralph/secret.md");
    expect(read).toMatchObject({
      ok: false,
      code: "forbidden",
      details: { reason: "unsafe_workspace_path", problem: "symlink" },
    });
    const write = await writeWorkspaceText(ws, "scripts/ralph/pid.txt", "123\n");
    expect(write).toMatchObject({ ok: false, code: "forbidden" });
    expect(await readWorkspaceText(ws, "../outside/secret.md")).toMatchObject({
      ok: false,
      code: "forbidden",
      details: { problem: "outside" },
    });
    expect(snapshot(outside)).toEqual(before);
  });
});
