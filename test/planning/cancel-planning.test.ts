/**
 * `/cancel` of a project that is being planned ends its planning session itself — with no change watcher
 * running — through the real command layer and the fake `claude`: the running planner turn is stopped,
 * the session is closed, the other chats of the session hear it, and plain text afterwards reaches no
 * planner and is told why.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Incoming } from "../../src/chat/incoming.ts";
import type { Reply } from "../../src/chat/reply.ts";
import { loadConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import type { SessionsFile } from "../../src/planning/session-store.ts";
import { createCoreServices } from "../../src/projects/core-services.ts";
import { startBackground, startWatcher } from "../../src/runtime/background.ts";
import { createRuntime, type Runtime } from "../../src/runtime/runtime.ts";
import { fakeClaudePath } from "../fakes/paths.ts";
import { alive, waitUntil } from "../helpers/processes.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.stop();
  await temp.cleanup();
});

/**
 * A runtime over the fake planner with an in-memory adapter whose sent messages are recorded; no watcher
 * runs. `root` reuses the folders of an earlier one (a restart).
 */
async function start(root?: string) {
  root ??= await temp.make("cancel-");
  const dataDir = join(root, "data");
  const claudeDir = join(root, "claude");
  await mkdir(claudeDir, { recursive: true });
  const loaded = loadConfig(
    { PLANBOT_DATA_DIR: dataDir, PLANNER_COMMAND: fakeClaudePath, PLANBOT_ADMINS: "memory:owner" },
    root,
  );
  if (!loaded.ok) throw new Error(loaded.message);
  const runtime = createRuntime(loaded.config, silentLogger, { env: { ...process.env, CLAUDE_CONFIG_DIR: claudeDir } });
  runtimes.push(runtime);
  const sent: { channelId: string; reply: Reply }[] = [];
  runtime.outbound.register("memory", {
    async send(target, reply) {
      sent.push({ channelId: target.channelId, reply });
      return { ok: true, messageIds: [] };
    },
  });
  const say = async (channelId: string, text: string) => {
    const incoming: Incoming = { adapter: "memory", channelId, userId: "owner", userName: "owner", text };
    const handled = await runtime.bot.handle(incoming, { audience: "direct" });
    return { kind: handled.kind, text: "replies" in handled ? handled.replies.map((r) => r.text).join("\n") : "" };
  };
  const plannerCalls = () => {
    const file = join(claudeDir, "fake-claude", "calls.jsonl");
    return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean).length : 0;
  };
  const runningPlanners = () => {
    const folder = join(dataDir, "sessions", "planners");
    return existsSync(folder) ? readdirSync(folder).map((name) => Number(name.replace(".json", ""))) : [];
  };
  const sessions = () => JSON.parse(readFileSync(join(dataDir, "sessions", "planning.json"), "utf8")) as SessionsFile;
  return { root, config: loaded.config, runtime, say, sent, plannerCalls, runningPlanners, sessions };
}

describe("/cancel of a project being planned", { timeout: 60_000 }, () => {
  it("stops the running planner turn, ends the session, tells every chat, and later text reaches no planner", async () => {
    const h = await start();
    expect((await h.say("a", "/p shop A tiny shop for mugs")).text).toContain("Proposed **shop**");
    expect((await h.say("a", "/plan shop")).text).toContain("phase 1/3: clarify");
    expect((await h.say("b", "/continue shop")).text).toContain("shop");

    const answering = h.say("a", "[[fake:hang]] Potters selling mugs");
    expect(await waitUntil(() => h.runningPlanners().length === 1, 20_000)).toBe(true);
    const [pid] = h.runningPlanners();

    const cancelled = await h.say("a", "/cancel shop");
    expect(cancelled.text).toContain("Cancelled **shop**");
    expect(cancelled.text).toContain(
      "Planning stopped: its planning session ended and the planner's turn under way was stopped, so messages in its chats no longer go to the planner.",
    );
    expect((await answering).text).toContain("Planning was stopped while the planner was answering");
    expect(await waitUntil(() => !alive(pid!), 10_000)).toBe(true);
    expect(Object.values(h.sessions())).toMatchObject([
      { slug: "shop", closed_reason: "the project was cancelled by owner" },
    ]);
    expect(Object.values(h.sessions())[0]!.closed_at).toBeTruthy();

    // The other chat of the session hears it; the one that cancelled has it in its own reply only.
    await waitUntil(() => h.sent.some((item) => item.reply.text.startsWith("Planning of")), 5000);
    const notices = h.sent.filter((item) => item.reply.text.startsWith("Planning of"));
    expect(notices.map((item) => item.channelId)).toEqual(["b"]);
    expect(notices[0]!.reply.text).toBe(
      "Planning of **shop** was ended (the project was cancelled by owner); its running planner turn was stopped.",
    );

    const calls = h.plannerCalls();
    const later = await h.say("a", "And it should have a gift wrap option");
    expect(later).toEqual({
      kind: "hint",
      text: "Planning of **shop** has ended (the project was cancelled by owner), so this did not go to the planner. `/replan shop` plans it again; `/help` lists the commands.",
    });
    expect((await h.say("b", "Another answer")).kind).toBe("hint");
    expect(h.plannerCalls()).toBe(calls);
  });

  it("without a session, /cancel says nothing about planning", async () => {
    const h = await start();
    await h.say("a", "/p idle Never planned");
    const cancelled = await h.say("a", "/cancel idle");
    expect(cancelled.text).toBe(
      "Cancelled **idle**: it shows as cancelled and Ralph does not run it. Its files stay; `/replan idle` plans it again.",
    );
  });

  it("a project cancelled while no planbot ran (planbot projects cancel) has its session ended at the next start", async () => {
    const first = await start();
    await first.say("a", "/p shop A tiny shop for mugs");
    expect((await first.say("a", "/plan shop")).text).toContain("phase 1/3: clarify");
    await first.runtime.stop();
    runtimes.splice(0);
    // What `planbot projects cancel shop` does: the store alone, in a process without planning.
    expect((await createCoreServices(first.config).lifecycle.cancel("shop")).ok).toBe(true);
    expect(Object.values(first.sessions())[0]!.closed_at).toBeFalsy();

    const second = await start(first.root);
    await startWatcher(second.runtime);
    await startBackground(second.runtime);
    expect(Object.values(second.sessions())).toMatchObject([{ closed_reason: "the project is cancelled" }]);
    await waitUntil(() => second.sent.length > 0, 5000);
    expect(second.sent.map((item) => [item.channelId, item.reply.text])).toEqual([
      ["a", "Planning of **shop** was ended (the project is cancelled)."],
    ]);
    const calls = second.plannerCalls();
    expect((await second.say("a", "Still there?")).text).toContain("Planning of **shop** has ended");
    expect(second.plannerCalls()).toBe(calls);
  });
});
