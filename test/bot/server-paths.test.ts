// Chat replies never show planbot's folders (the data dir, the workspaces): a chat member sees paths inside
// a project's workspace. The terminal is the operator's own chat (only the data dir's owner can open it), so
// it keeps the server's paths. The real Telegram and Discord adapters against their fakes and the real
// terminal adapter on one runtime with the fake `claude`, and the outbound router every notice and mirrored
// reply goes through, with the dashboard's and the terminal's real Outbounds on it.
import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createConsoleAdapter } from "../../src/adapters/console/console-adapter.ts";
import { createDashboardOutbound } from "../../src/adapters/http/dashboard-outbound.ts";
import { createOutboundRouter } from "../../src/chat/outbound.ts";
import type { Reply } from "../../src/chat/reply.ts";
import { hideServerPaths } from "../../src/chat/server-paths.ts";
import { systemClock } from "../../src/projects/clock.ts";
import { fakeClaudePath } from "../fakes/paths.ts";
import { type ChatSurfaces, startChatSurfaces } from "../helpers/chat-surfaces.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
const open: ChatSurfaces[] = [];
afterEach(async () => {
  for (const surfaces of open.splice(0)) await surfaces.close();
  await temp.cleanup();
});

/** Telegram, Discord and the terminal on one runtime whose planner is the fake `claude`. */
async function startChats() {
  // An underscore in the path: outside code spans the markup escapes it, and the net must still see it.
  const root = await temp.make("paths_");
  const dataDir = join(root, "data");
  const claudeDir = join(root, "claude");
  await mkdir(claudeDir, { recursive: true });
  const chats = await startChatSurfaces({
    root,
    dataDir,
    env: { PLANNER_COMMAND: fakeClaudePath, PLANNER_TIMEOUT_S: "20" },
    overrides: { env: { ...process.env, CLAUDE_CONFIG_DIR: claudeDir } },
  });
  open.push(chats);
  return { root, ...chats };
}

describe("chat replies name files inside the project's workspace; the terminal keeps the server's paths", {
  timeout: 60_000,
}, () => {
  it("the written plan, mirrored planner replies, the /status card and the approval", async () => {
    const chats = await startChats();
    const { terminal } = chats;
    expect(await chats.telegramSays("/p shop A tiny shop for mugs", "Proposed shop")).not.toContain(chats.root);
    expect(await chats.telegramSays("/plan shop", "Who will use shop")).not.toContain(chats.root);
    await terminal.type("/continue shop", "now follows the planning of shop");

    // The planner quotes the answer back: its text goes through the same net as planbot's own, in the reply
    // and in the copy the router mirrors to the session's other chats — except the terminal's.
    const notes = join(chats.workspaceDir, "shop", "notes.md");
    const mirrored = terminal.printed().length;
    const quoted = await chats.telegramSays(`Potters; keep notes in ${notes}`, "You answered");
    expect(quoted).toContain('You answered: "Potters; keep notes in shop/notes.md"');
    expect(await terminal.waitFor(mirrored, "You answered")).toContain(
      `You answered: "Potters; keep notes in ${notes}"`,
    );

    const sketches = join(chats.workspaceDir, "shop", "sketches");
    const telegramBefore = chats.telegramCount();
    const typed = await terminal.type(`Sketches are in ${sketches}`, "You answered");
    expect(typed).toContain(`You answered: "Sketches are in ${sketches}"`);
    expect(await chats.telegramGot(telegramBefore, "You answered")).toContain(
      'You answered: "Sketches are in shop/sketches"',
    );

    await terminal.type("/next", "phase 2/3");
    await terminal.type("/next", "phase 3/3");
    const mirroredPlan = terminal.printed().length;
    const written = await chats.telegramSays("/next", "Wrote");
    expect(written).toContain(
      "Wrote final-plan.md and prd.json (3 stories) to scripts/ralph/ in the workspace of shop.",
    );
    // The same reply reaches the terminal, joined to the session: the operator reads the folder's whole path.
    const ralphDir = join(chats.workspaceDir, "shop", "scripts", "ralph");
    const toOperator = await terminal.waitFor(mirroredPlan, "Wrote");
    expect(toOperator).toContain(`Wrote final-plan.md and prd.json (3 stories) to ${ralphDir}/.`);
    expect(toOperator).not.toContain("in the workspace of");
    const card = await chats.telegramSays("/status shop", "shop —");
    const done = await chats.telegramSays("/done", "Approved shop");
    const plan = join(chats.workspaceDir, "shop", "scripts", "ralph", "final-plan.md");
    expect(await chats.telegramSays("/status shop", "Plan:")).toContain(
      "Plan: scripts/ralph/final-plan.md in its workspace",
    );
    expect(await chats.discordSays("/status shop", "Plan:")).toContain(
      "Plan: `scripts/ralph/final-plan.md` in its workspace",
    );
    for (const said of [quoted, written, card, done]) expect(said).not.toContain(chats.root);

    // The operator can open the plan document: the terminal's card names it by its whole path.
    expect(await terminal.type("/status shop", "Plan:")).toContain(`Plan: ${plan}`);
  });

  it("a plan written by the terminal's /done: the terminal reads the folder's whole path, the session's other chats its place in the workspace", async () => {
    const chats = await startChats();
    const { terminal } = chats;
    await terminal.type("/p mugs A shop for mugs", "Proposed mugs");
    await terminal.type("/plan mugs", "Who will use mugs");
    await chats.telegramSays("/continue mugs", "now follows the planning of mugs");
    const telegramBefore = chats.telegramCount();

    const done = await terminal.type("/done", "Approved mugs");
    const ralphDir = join(chats.workspaceDir, "mugs", "scripts", "ralph");
    expect(done).toContain(`Wrote final-plan.md and prd.json (3 stories) to ${ralphDir}/.`);
    expect(done).toContain("Approved mugs with its plan.");
    const mirrored = await chats.telegramGot(telegramBefore, "Approved mugs");
    expect(mirrored).toContain(
      "Wrote final-plan.md and prd.json (3 stories) to scripts/ralph/ in the workspace of mugs.",
    );
    expect(mirrored).toContain("Approved mugs with its plan.");
    expect(mirrored).not.toContain(chats.root);
  });

  it("a failure of a lower layer that names a workspace folder: chats name it by the project, the terminal by its path", async () => {
    const chats = await startChats();
    await chats.terminal.type("/p linked A project whose workspace is a link", "Proposed linked");
    await mkdir(chats.workspaceDir, { recursive: true });
    const link = join(chats.workspaceDir, "linked");
    await symlink(chats.root, link);
    const refused = await chats.telegramSays("/plan linked", "cannot be used");
    expect(refused).toContain("The workspace folder of linked on the server cannot be used.");
    expect(refused).not.toContain(chats.root);
    expect(await chats.terminal.type("/plan linked", "Move it away")).toContain(
      `The workspace ${link} is a symbolic link`,
    );
  });
});

describe("the outbound router (notices, mirrored replies, progress)", () => {
  const folders = { dataDir: "/srv/home/bob/planbot/data", workspaceDir: "/srv/home/bob/planbot/data/workspace" };
  const logLine = { text: "Ralph's log: /srv/home/bob/planbot/data/workspace/shop/scripts/ralph/logs/1.log" };
  const storeLine = { text: "Could not read /srv/home/bob/planbot/data/approved-tasks.json: EACCES" };

  it("sends and edits messages without the server's folders", async () => {
    const seen: Reply[] = [];
    const router = createOutboundRouter({ serverFolders: folders });
    router.register("memory", {
      async send(_target, reply) {
        seen.push(reply);
        return { ok: true, messageIds: ["1"] };
      },
      async edit(_target, messageId, reply) {
        seen.push(reply);
        return { ok: true, messageId };
      },
    });
    const target = { adapter: "memory", channelId: "c" };
    await router.send(target, logLine);
    await router.edit(target, "1", storeLine);
    expect(seen.map((reply) => reply.text)).toEqual([
      "Ralph's log: shop/scripts/ralph/logs/1.log",
      "Could not read approved-tasks.json: EACCES",
    ]);
  });

  it("keeps them for the terminal, the operator's Outbound, and hides them from the dashboard's", async () => {
    const router = createOutboundRouter({ serverFolders: folders });
    const dashboard = createDashboardOutbound({ clock: systemClock, onMessage: () => undefined });
    router.register("dashboard", dashboard);
    const output = new PassThrough();
    let printed = "";
    output.setEncoding("utf8");
    output.on("data", (chunk: string) => {
      printed += chunk;
    });
    const terminal = createConsoleAdapter({
      bot: { handle: async () => ({ kind: "ignored", reason: "" }), commandFor: () => undefined },
      input: new PassThrough(),
      output,
      userName: "alice",
    });
    router.register("console", terminal.outbound);

    await router.send({ adapter: "dashboard", channelId: "shop" }, logLine);
    await router.send({ adapter: "console", channelId: "terminal" }, logLine);
    await router.edit({ adapter: "console", channelId: "terminal" }, "1", storeLine);
    terminal.close();
    expect(dashboard.recent("shop").map((message) => message.message)).toEqual([
      "Ralph's log: shop/scripts/ralph/logs/1.log",
    ]);
    expect(printed).toBe(`${logLine.text}\n${storeLine.text}\n`);
  });
});

describe("hideServerPaths", () => {
  const folders = { dataDir: "/home/al_ice/planbot/data", workspaceDir: "/home/al_ice/planbot/data/workspace" };
  it.each([
    ["`/home/al_ice/planbot/data/workspace/shop/scripts/ralph/`", "`shop/scripts/ralph/`"],
    ["The workspace /home/al\\_ice/planbot/data/workspace/shop is a link.", "The workspace shop is a link."],
    ["in /home/al_ice/planbot/data.", "in planbot's data folder."],
    ["under `/home/al_ice/planbot/data/workspace/`", "under `the projects' workspace folder`"],
    // Not planbot's folders: a longer name, and a path inside a URL.
    ["/home/al_ice/planbot/database and file:///home/al_ice/planbot/data/r", "same"],
  ])("%s", (text, shown) => {
    expect(hideServerPaths(text, folders)).toBe(shown === "same" ? text : shown);
  });
});
