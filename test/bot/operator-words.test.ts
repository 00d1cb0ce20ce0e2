// Failures only planbot's operator can fix on the server (a data folder that cannot be written, a damaged
// store, a workspace folder in the way) read differently per surface: a chat names the problem plainly and
// says to tell planbot's admin, since a Discord or Telegram member cannot move folders or free disk space;
// the CLI, run by the operator, keeps the full advice and paths. Chat through the terminal adapter over a
// real runtime; the CLI as the real `bin/planbot` child process on the same data folder.
import { spawnSync } from "node:child_process";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import type { PlannerBackend } from "../../src/planning/planner-backend.ts";
import { preparePlanningWorkspace } from "../../src/planning/planning-workspace.ts";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { fail } from "../../src/projects/result.ts";
import { createRuntime, type Runtime } from "../../src/runtime/runtime.ts";
import { runPlanbot } from "../cli/planbot-process.ts";
import { typeInto } from "../helpers/console-typing.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
const runtimes: Runtime[] = [];
const mounts: string[] = [];
const lockedFolders: string[] = [];
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.stop();
  // Lazily: a runtime that just stopped may still hold a store file open for a moment.
  for (const mount of mounts.splice(0)) spawnSync("umount", ["--lazy", mount]);
  for (const folder of lockedFolders.splice(0)) await chmod(folder, 0o755);
  await temp.cleanup();
});

/** Words meant for the server's operator, which a chat member can act on none of. */
const OPERATOR_WORDS = /move it away|PLANBOT_|permissions|disk space|fix or move the file/i;

/** A planner that never runs: these tests stop before any planner turn. */
const noPlanner: PlannerBackend = {
  async run() {
    return fail("planner_failed", "no planner in these tests", { details: { reason: "missing" } });
  },
};

/** A terminal chat over a runtime on `dataDir`; `say` types one line and returns what it printed. */
function startChat(root: string, dataDir: string) {
  const loaded = loadConfig({ PLANBOT_DATA_DIR: dataDir }, root);
  if (!loaded.ok) throw new Error(loaded.message);
  const runtime = createRuntime(loaded.config, silentLogger, { planner: noPlanner });
  runtimes.push(runtime);
  async function say(line: string): Promise<string> {
    const printed = await typeInto(runtime.bot, [line]);
    await runtime.bot.drain();
    return printed;
  }
  return { say, workspaceDir: loaded.config.workspaceDir };
}

/** `bin/planbot <args>` on the same data folder, as the server's operator runs it. */
const cli = (root: string, dataDir: string, args: string[]) =>
  runPlanbot(args, { cwd: root, env: { PLANBOT_DATA_DIR: dataDir } });

/**
 * A data folder that becomes read-only on `lock()`: a remounted tmpfs as root (who may write anywhere
 * regardless of modes), a folder without write permission otherwise.
 */
async function lockableDataFolder(): Promise<{ root: string; dataDir: string; lock: () => Promise<void> }> {
  const root = await temp.make("operator-");
  if (process.getuid?.() === 0) {
    const disk = join(root, "disk");
    await mkdir(disk);
    expect(spawnSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", disk]).status).toBe(0);
    mounts.push(disk);
    const dataDir = join(disk, "data");
    await mkdir(dataDir);
    const lock = async () => {
      expect(spawnSync("mount", ["-o", "remount,ro", disk]).status).toBe(0);
    };
    return { root, dataDir, lock };
  }
  const dataDir = join(root, "data");
  await mkdir(dataDir);
  const lock = async () => {
    lockedFolders.push(dataDir);
    await chmod(dataDir, 0o555);
  };
  return { root, dataDir, lock };
}

describe("failures only the operator can fix, in a chat and in the CLI", { timeout: 120_000 }, () => {
  it("a read-only data folder: the chat says planbot could not save and to tell its admin; the CLI names the folder to check", async () => {
    const { root, dataDir, lock } = await lockableDataFolder();
    const chat = startChat(root, dataDir);
    expect(await chat.say("/p shop A tiny shop for mugs")).toContain("Proposed shop");
    await lock();

    const said = await chat.say("/p mugs Mugs with handles");
    expect(said).toContain("planbot could not save this: it may not write its data folder. Nothing was changed.");
    expect(said).toContain("Please tell planbot's admin: it can only be fixed on the server planbot runs on.");
    expect(said).toContain("`/status` shows where things stand.");
    expect(said).not.toMatch(OPERATOR_WORDS);
    expect(said).not.toContain(root);

    const run = await cli(root, dataDir, ["projects", "propose", "mugs", "Mugs with handles"]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(join(dataDir, TASKS_FILE_NAME));
    expect(run.stderr).toContain("Check that planbot may create and write its data folder (PLANBOT_DATA_DIR).");
  });

  it("a damaged store: the chat names the file and says to tell the admin; the CLI says to fix or move it", async () => {
    const root = await temp.make("operator-");
    const dataDir = join(root, "data");
    await mkdir(dataDir);
    await writeFile(join(dataDir, TASKS_FILE_NAME), '{"projects": [');
    const chat = startChat(root, dataDir);

    const said = await chat.say("/p mugs Mugs with handles");
    expect(said).toContain(
      "planbot cannot read its file `approved-tasks.json`: it is damaged, and planbot will not overwrite it. Nothing was changed.",
    );
    expect(said).toContain("Please tell planbot's admin");
    expect(said).not.toMatch(OPERATOR_WORDS);

    const run = await cli(root, dataDir, ["projects", "propose", "mugs", "Mugs with handles"]);
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toContain("planbot will not overwrite it; fix or move the file, then retry.");
  });

  it("a workspace that still holds a clone of the old repository after /edit --repo: the chat asks the admin to move it; the CLI names the folder", async () => {
    const root = await temp.make("operator-");
    const dataDir = join(root, "data");
    const chat = startChat(root, dataDir);
    expect(await chat.say("/p shop A tiny shop for mugs --repo shop")).toContain("Proposed shop");
    const workspace = join(chat.workspaceDir, "shop");
    await mkdir(join(workspace, ".git"), { recursive: true });

    const said = await chat.say("/edit shop --repo mugshop");
    expect(said).toContain("Edited shop");
    expect(said).toContain(
      "Its workspace on the server still holds a clone of the old repository, and planbot never deletes a workspace: before it is planned or run again, planbot's admin must move that folder away. Please tell them.",
    );
    expect(said).not.toMatch(OPERATOR_WORDS);

    const run = await cli(root, dataDir, ["projects", "edit", "shop", "--repo", "teashop"]);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain(
      `note: ${workspace} still holds a clone of the old repository: move it away before you plan or run shop again`,
    );
  });

  it("a workspace that is not a folder: /plan says the workspace cannot be used and to tell the admin; the failure keeps the operator's advice", async () => {
    const root = await temp.make("operator-");
    const dataDir = join(root, "data");
    const chat = startChat(root, dataDir);
    expect(await chat.say("/p shop A tiny shop for mugs")).toContain("Proposed shop");
    await mkdir(chat.workspaceDir, { recursive: true });
    await writeFile(join(chat.workspaceDir, "shop"), "not a folder");

    const said = await chat.say("/plan shop");
    expect(said).toContain("The workspace folder of shop on the server cannot be used.");
    expect(said).toContain("Please tell planbot's admin");
    expect(said).toContain("`/status shop` shows where things stand.");
    expect(said).not.toMatch(OPERATOR_WORDS);

    // What the logs and any operator's surface get: the folder and what to do with it.
    const prepared = await preparePlanningWorkspace({ name: "shop" }, { workspaceDir: chat.workspaceDir, env: {} });
    expect(!prepared.ok && prepared.message).toContain(
      `The workspace ${join(chat.workspaceDir, "shop")} is not a folder; planbot only plans in a real folder of its own. Move it away and plan again.`,
    );
  });
});
