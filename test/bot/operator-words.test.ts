// Failures only planbot's operator can fix on the server (a data folder that cannot be written, a damaged
// store, a workspace folder in the way) read differently per surface: a chat names the problem plainly and
// says to tell planbot's admin, since a Discord or Telegram member cannot move folders or free disk space;
// the terminal, the operator's own chat, and the CLI keep the full advice and paths. The real Telegram and
// Discord adapters against their fakes and the real terminal adapter, all on one runtime; the CLI as the
// real `bin/planbot` child process on the same data folder.
import { spawnSync } from "node:child_process";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { PlannerBackend } from "../../src/planning/planner-backend.ts";
import { preparePlanningWorkspace } from "../../src/planning/planning-workspace.ts";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { fail } from "../../src/projects/result.ts";
import { runPlanbot } from "../cli/planbot-process.ts";
import { type ChatSurfaces, startChatSurfaces } from "../helpers/chat-surfaces.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
const open: ChatSurfaces[] = [];
const mounts: string[] = [];
const lockedFolders: string[] = [];
afterEach(async () => {
  for (const surfaces of open.splice(0)) await surfaces.close();
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

/** Telegram, Discord and the terminal on one runtime over `dataDir`. */
async function startChats(root: string, dataDir: string): Promise<ChatSurfaces> {
  const surfaces = await startChatSurfaces({ root, dataDir, overrides: { planner: noPlanner } });
  open.push(surfaces);
  return surfaces;
}

/** What the chats' members read: the problem, and to tell planbot's admin — no path, no operator's advice. */
function expectChatWords(said: string, root: string): void {
  expect(said).toContain("Please tell planbot's admin");
  expect(said).not.toMatch(OPERATOR_WORDS);
  expect(said).not.toContain(root);
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

describe("failures only the operator can fix, in the chats, the terminal and the CLI", { timeout: 120_000 }, () => {
  it("a read-only data folder: chats say planbot could not save and to tell its admin; the terminal and the CLI name the folder to check", async () => {
    const { root, dataDir, lock } = await lockableDataFolder();
    const chats = await startChats(root, dataDir);
    await chats.terminal.type("/p shop A tiny shop for mugs", "Proposed shop");
    await lock();

    for (const said of [
      await chats.telegramSays("/p mugs Mugs with handles", "Nothing was changed"),
      await chats.discordSays("/p cups Cups without handles", "Nothing was changed"),
    ]) {
      expect(said).toContain("planbot could not save this: it may not write its data folder. Nothing was changed.");
      expect(said).toContain("Please tell planbot's admin: it can only be fixed on the server planbot runs on.");
      expectChatWords(said, root);
    }

    // The terminal is the operator's: telling them to tell the admin would send them to themselves.
    const typed = await chats.terminal.type("/p mugs Mugs with handles", "shows where things stand");
    expect(typed).toContain(join(dataDir, TASKS_FILE_NAME));
    expect(typed).toContain("Check that planbot may create and write its data folder (PLANBOT_DATA_DIR).");
    expect(typed).toContain("/status shows where things stand.");
    expect(typed).not.toContain("tell planbot's admin");

    const run = await cli(root, dataDir, ["projects", "propose", "mugs", "Mugs with handles"]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(join(dataDir, TASKS_FILE_NAME));
    expect(run.stderr).toContain("Check that planbot may create and write its data folder (PLANBOT_DATA_DIR).");
  });

  it("a damaged store: chats name the file and say to tell the admin; the terminal and the CLI say to fix or move it", async () => {
    const root = await temp.make("operator-");
    const dataDir = join(root, "data");
    await mkdir(dataDir);
    await writeFile(join(dataDir, TASKS_FILE_NAME), '{"projects": [');
    const chats = await startChats(root, dataDir);

    for (const said of [
      await chats.telegramSays("/p mugs Mugs with handles", "Nothing was changed"),
      await chats.discordSays("/p mugs Mugs with handles", "Nothing was changed"),
    ]) {
      expect(said).toMatch(
        /planbot cannot read its file `?approved-tasks\.json`?: it is damaged, and planbot will not overwrite it\. Nothing was changed\./,
      );
      expectChatWords(said, root);
    }

    const typed = await chats.terminal.type("/p mugs Mugs with handles", "then retry");
    expect(typed).toContain(join(dataDir, TASKS_FILE_NAME));
    expect(typed).toContain("planbot will not overwrite it; fix or move the file, then retry.");
    expect(typed).not.toContain("tell planbot's admin");

    const run = await cli(root, dataDir, ["projects", "propose", "mugs", "Mugs with handles"]);
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toContain("planbot will not overwrite it; fix or move the file, then retry.");
  });

  it("a workspace that still holds a clone of the old repository after /edit --repo: chats ask the admin to move it; the terminal and the CLI name the folder", async () => {
    const root = await temp.make("operator-");
    const dataDir = join(root, "data");
    const chats = await startChats(root, dataDir);
    await chats.terminal.type("/p shop A tiny shop for mugs --repo shop", "Proposed shop");
    const workspace = join(chats.workspaceDir, "shop");
    await mkdir(join(workspace, ".git"), { recursive: true });

    for (const said of [
      await chats.telegramSays("/edit shop --repo mugshop", "Please tell them"),
      await chats.discordSays("/edit shop --repo cupshop", "Please tell them"),
    ]) {
      expect(said).toMatch(/Edited (\*\*)?shop/);
      expect(said).toContain(
        "Its workspace on the server still holds a clone of the old repository, and planbot never deletes a workspace: before it is planned or run again, planbot's admin must move that folder away. Please tell them.",
      );
      expect(said).not.toMatch(OPERATOR_WORDS);
      expect(said).not.toContain(root);
    }

    const typed = await chats.terminal.type("/edit shop --repo potshop", "never deletes a workspace");
    expect(typed).toContain("Edited shop");
    expect(typed).toContain(
      `${workspace} still holds a clone of the old repository: move it away before you plan or run shop again (planbot never deletes a workspace).`,
    );
    expect(typed).not.toContain("tell them");

    const run = await cli(root, dataDir, ["projects", "edit", "shop", "--repo", "teashop"]);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain(
      `note: ${workspace} still holds a clone of the old repository: move it away before you plan or run shop again`,
    );
  });

  it("a workspace that is not a folder: /plan in a chat says the workspace cannot be used and to tell the admin; the terminal gets the operator's advice", async () => {
    const root = await temp.make("operator-");
    const dataDir = join(root, "data");
    const chats = await startChats(root, dataDir);
    await chats.terminal.type("/p shop A tiny shop for mugs", "Proposed shop");
    await mkdir(chats.workspaceDir, { recursive: true });
    await writeFile(join(chats.workspaceDir, "shop"), "not a folder");

    const said = await chats.telegramSays("/plan shop", "shows where things stand");
    expect(said).toContain("The workspace folder of shop on the server cannot be used.");
    expect(said).toContain("/status shop shows where things stand.");
    expectChatWords(said, root);

    const typed = await chats.terminal.type("/plan shop", "shows where things stand");
    expect(typed).toContain(
      `The workspace ${join(chats.workspaceDir, "shop")} is not a folder; planbot only plans in a real folder of its own. Move it away and plan again.`,
    );
    expect(typed).toContain("/status shop shows where things stand.");
    expect(typed).not.toContain("tell planbot's admin");

    // The same message is what the logs and the CLI get from the lower layer.
    const prepared = await preparePlanningWorkspace({ name: "shop" }, { workspaceDir: chats.workspaceDir, env: {} });
    expect(!prepared.ok && prepared.message).toContain(
      `The workspace ${join(chats.workspaceDir, "shop")} is not a folder; planbot only plans in a real folder of its own. Move it away and plan again.`,
    );
  });
});
