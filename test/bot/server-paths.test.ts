// Chat replies never show planbot's folders (the data dir, the workspaces): a chat member sees paths inside
// a project's workspace. Through the terminal adapter over a real runtime with the fake `claude`, and the
// outbound router every notice and mirrored reply goes through.
import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createOutboundRouter } from "../../src/chat/outbound.ts";
import type { Reply } from "../../src/chat/reply.ts";
import { hideServerPaths } from "../../src/chat/server-paths.ts";
import { loadConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import { createRuntime, type Runtime } from "../../src/runtime/runtime.ts";
import { fakeClaudePath } from "../fakes/paths.ts";
import { typeInto } from "../helpers/console-typing.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.stop();
  await temp.cleanup();
});

/** A terminal chat over a runtime whose planner is the fake `claude`; `say` types one line, returns what printed. */
async function startChat() {
  // An underscore in the path: outside code spans the markup escapes it, and the net must still see it.
  const root = await temp.make("paths_");
  const dataDir = join(root, "data");
  const claudeDir = join(root, "claude");
  await mkdir(claudeDir, { recursive: true });
  const loaded = loadConfig({ PLANBOT_DATA_DIR: dataDir, PLANNER_COMMAND: fakeClaudePath }, root);
  if (!loaded.ok) throw new Error(loaded.message);
  const runtime = createRuntime(loaded.config, silentLogger, { env: { ...process.env, CLAUDE_CONFIG_DIR: claudeDir } });
  runtimes.push(runtime);
  async function say(line: string): Promise<string> {
    const printed = await typeInto(runtime.bot, [line]);
    await runtime.bot.drain();
    return printed;
  }
  return { root, dataDir, workspaceDir: loaded.config.workspaceDir, say };
}

describe("chat replies name files inside the project's workspace", { timeout: 60_000 }, () => {
  it("the written plan, the /status card and the approval show no path of the data dir", async () => {
    const chat = await startChat();
    expect(await chat.say("/p shop A tiny shop for mugs")).toContain("Proposed shop");
    expect(await chat.say("/plan shop")).toContain("phase 1/3: clarify");
    // The planner quotes the answer back: its text goes through the same net as planbot's own.
    const quoted = await chat.say(`Potters; keep notes in ${join(chat.workspaceDir, "shop", "notes.md")}`);
    expect(quoted).toContain('You answered: "Potters; keep notes in shop/notes.md"');
    await chat.say("/next");
    await chat.say("/next");
    const written = await chat.say("/next");
    expect(written).toContain(
      "Wrote `final-plan.md` and `prd.json` (3 stories) to `scripts/ralph/` in the workspace of shop.",
    );
    const card = await chat.say("/status shop");
    const done = await chat.say("/done");
    expect(done).toContain("Approved shop with its plan");
    const status = await chat.say("/status shop");
    expect(status).toContain("Plan: `scripts/ralph/final-plan.md` in its workspace");

    for (const printed of [quoted, written, card, status]) expect(printed).not.toContain(chat.root);
    // The terminal alone names the plan document's file: only the data dir's owner can open planbot's
    // terminal (a 0600 socket), and a terminal cannot show a document otherwise. The reply's text does not.
    const [text, fileLine] = done.split("\n  (final-plan.md: ");
    expect(text).not.toContain(chat.root);
    expect(fileLine).toContain(join(chat.workspaceDir, "shop", "scripts", "ralph", "final-plan.md"));
  });

  it("a failure of a lower layer that names a workspace folder names it by the project", async () => {
    const chat = await startChat();
    await chat.say("/p linked A project whose workspace is a link");
    await mkdir(chat.workspaceDir, { recursive: true });
    await symlink(chat.root, join(chat.workspaceDir, "linked"));
    const refused = await chat.say("/plan linked");
    expect(refused).toContain("The workspace folder of linked on the server cannot be used.");
    expect(refused).not.toContain(chat.root);
  });
});

describe("the outbound router (notices, mirrored replies, progress)", () => {
  it("sends and edits messages without the server's folders", async () => {
    const folders = { dataDir: "/srv/home/bob/planbot/data", workspaceDir: "/srv/home/bob/planbot/data/workspace" };
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
    await router.send(target, {
      text: "Ralph's log: /srv/home/bob/planbot/data/workspace/shop/scripts/ralph/logs/1.log",
    });
    await router.edit(target, "1", { text: "Could not read /srv/home/bob/planbot/data/approved-tasks.json: EACCES" });
    expect(seen.map((reply) => reply.text)).toEqual([
      "Ralph's log: shop/scripts/ralph/logs/1.log",
      "Could not read approved-tasks.json: EACCES",
    ]);
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
