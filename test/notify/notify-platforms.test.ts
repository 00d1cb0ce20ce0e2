/**
 * Notifications end to end through the fake Discord and the fake Telegram, with the real adapters on a
 * runtime started in planbot start's order (watcher → adapters → notifier). Notify targets come from
 * the config (DISCORD_NOTIFY_CHANNEL_ID, TELEGRAM_NOTIFY_CHAT_ID); the chat where a project was planned
 * is a real planning session made through the bot with the fake planner.
 */
import { spawn } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { TelegramAdapterOptions } from "../../src/adapters/telegram/index.ts";
import { silentLogger } from "../../src/log.ts";
import { createSessionStore } from "../../src/planning/session-store.ts";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { createRuntime, type Runtime } from "../../src/runtime/runtime.ts";
import { startFakeDiscord, type FakeDiscord } from "../fakes/discord/index.ts";
import { fakeClaudePath } from "../fakes/paths.ts";
import { startFakeTelegram, type FakeChat, type FakeTelegram, type FakeUser } from "../fakes/telegram/index.ts";
import {
  configFor,
  prdWith,
  putEntry,
  putPlanningSession,
  readNotificationState,
  sleep,
  storeOf,
  waitUntil,
  writeLog,
  writePrd,
} from "../helpers/notify-fixtures.ts";
import { bothPlatformsEnv, startBothPlatforms } from "../helpers/start-like-planbot.ts";
import { killGroup, useCleanups } from "../helpers/use-cleanups.ts";

const { temp, defer } = useCleanups();

const DISCORD_NOTIFY = "300";
const DISCORD_GENERAL = "100";
const admin: FakeUser = { id: 1, first_name: "Ada", username: "ada" };
const notifyChat: FakeChat = { id: -1001000000010, type: "supergroup", title: "Builds" };
const planChat: FakeChat = { id: -1001000000011, type: "supergroup", title: "Planning" };
const adminChat: FakeChat = { id: admin.id, type: "private" };
const forumChat: FakeChat = { id: -1001000000012, type: "supergroup", title: "Ops forum", is_forum: true };

interface World {
  root: string;
  dataDir: string;
  workspaceDir: string;
  claudeDir: string;
  discord: FakeDiscord;
  telegram: FakeTelegram;
}

/** Both fakes and a temp data dir. */
async function world(): Promise<World> {
  const root = await temp.make("notify-e2e-");
  const dataDir = join(root, "data");
  const claudeDir = join(root, "claude");
  await mkdir(claudeDir, { recursive: true });
  const discord = await startFakeDiscord({
    channels: [
      { id: DISCORD_GENERAL, name: "general" },
      { id: DISCORD_NOTIFY, name: "builds" },
    ],
  });
  defer(() => discord.close());
  const telegram = await startFakeTelegram({ longPollMaxMs: 200 });
  defer(() => telegram.close());
  // Telegram: the bot may only message chats it knows; the notify chat never wrote to it.
  for (const chat of [notifyChat, planChat]) telegram.addChat(chat);
  return { root, dataDir, workspaceDir: join(dataDir, "workspace"), claudeDir, discord, telegram };
}

/** planbot as `planbot start` runs it: watcher, Discord, Telegram, then the notifier. */
async function startPlanbot(
  w: World,
  options: { telegram?: TelegramAdapterOptions; backoffMs?: number; env?: Record<string, string> } = {},
): Promise<Runtime> {
  const config = configFor(w.root, w.dataDir, {
    PLANNER_COMMAND: fakeClaudePath,
    PLANNER_TIMEOUT_S: "20",
    PLANBOT_ADMINS: "telegram:1,discord:1",
    ...bothPlatformsEnv(w.discord, w.telegram, { discordChannelId: DISCORD_NOTIFY, telegramChatId: notifyChat.id }),
    ...options.env,
  });
  const runtime = createRuntime(config, silentLogger, {
    env: { ...process.env, CLAUDE_CONFIG_DIR: w.claudeDir },
    notifierBackoffMs: options.backoffMs ?? 50,
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await runtime.stop();
  };
  defer(stop);
  await startBothPlatforms(runtime, options.telegram);
  return runtime;
}

/** What each chat received, as users see it. */
const discordTexts = (w: World, channel: string) =>
  w.discord.channelMessages(channel).map((message) => message.content);
const telegramTexts = (w: World, chat: FakeChat) =>
  w.telegram
    .sentMessages(chat.id)
    .filter((message) => message.kind === "sent")
    .map((message) => message.plain_text);
const count = (texts: string[], pattern: RegExp) => texts.filter((text) => pattern.test(text)).length;

/** Plans `slug` in the Telegram planning chat through the bot (the fake planner answers the first turn). */
async function planOnTelegram(w: World, slug: string): Promise<void> {
  let before = telegramTexts(w, planChat).length;
  w.telegram.sendMessage({
    chat: planChat,
    from: admin,
    text: `/p ${slug} "A small todo app" --repo team/${slug} --branch ralph/${slug}`,
  });
  await waitUntil(() => telegramTexts(w, planChat).length > before, 15_000);
  before = telegramTexts(w, planChat).length;
  w.telegram.sendMessage({ chat: planChat, from: admin, text: `/plan ${slug}` });
  await waitUntil(
    () =>
      telegramTexts(w, planChat)
        .slice(before)
        .some((text) => text.includes(`Planning ${slug}`)),
    15_000,
    () => JSON.stringify(telegramTexts(w, planChat)),
  );
  const sessions = await createSessionStore(w.dataDir).read();
  expect(sessions.ok && sessions.sessions[`telegram:${planChat.id}`]?.slug).toBe(slug);
}

/** Plans `slug` on Discord: a typed /plan in #general opens a thread, which is the session's chat. */
async function planOnDiscord(w: World, slug: string): Promise<string> {
  await w.discord.sendMessage({
    channelId: DISCORD_GENERAL,
    author: { id: "1", username: "ada" },
    content: `/plan ${slug} A small todo app`,
  });
  let threadId = "";
  await waitUntil(() => {
    const created = w.discord.requests.find(
      (request) =>
        request.method === "POST" && request.path === `/channels/${DISCORD_GENERAL}/threads` && request.status === 201,
    );
    threadId = (created?.response as { id?: string } | undefined)?.id ?? "";
    return threadId !== "" && discordTexts(w, threadId).some((text) => text.includes(`Planning **${slug}**`));
  }, 15_000);
  return threadId;
}

describe("notifications through the fake Discord and Telegram", () => {
  it("complete: exactly one message in the Discord notify channel, the Telegram notify chat and the Telegram chat that planned it", async () => {
    const w = await world();
    await startPlanbot(w);
    await planOnTelegram(w, "alpha");
    // The notify channels heard about the planning, the planning chat did not (it was there).
    await waitUntil(
      () =>
        count(discordTexts(w, DISCORD_NOTIFY), /Planning started for \*\*alpha\*\*/) === 1 &&
        count(telegramTexts(w, notifyChat), /Planning started for alpha/) === 1,
    );
    expect(count(telegramTexts(w, planChat), /Planning started for alpha/)).toBe(0);

    // The executor ran Ralph (its pid is gone); Ralph writes the final prd.json: every story passes.
    const store = storeOf(w.dataDir);
    await putEntry(store, {
      name: "alpha",
      status: "running",
      pid: null,
      started_at: new Date(Date.now() - 7 * 60_000).toISOString(),
    });
    writePrd(w.workspaceDir, "alpha", prdWith("alpha", [true, false, false]));
    await sleep(100);
    writePrd(w.workspaceDir, "alpha", prdWith("alpha", [true, true, true]));

    const complete = /alpha\*?\*? is complete: 3\/3 stories pass on branch `?ralph\/alpha`?, after 7 min\./;
    await waitUntil(
      () =>
        count(discordTexts(w, DISCORD_NOTIFY), complete) >= 1 &&
        count(telegramTexts(w, notifyChat), complete) >= 1 &&
        count(telegramTexts(w, planChat), complete) >= 1,
      10_000,
      () =>
        JSON.stringify({
          discord: discordTexts(w, DISCORD_NOTIFY),
          notify: telegramTexts(w, notifyChat),
          plan: telegramTexts(w, planChat),
        }),
    );
    // The executor records the outcome afterwards; nothing is sent twice.
    await putEntry(store, { name: "alpha", status: "complete", pid: null });
    await sleep(400);
    expect(count(discordTexts(w, DISCORD_NOTIFY), /is complete/)).toBe(1);
    expect(count(telegramTexts(w, notifyChat), /is complete/)).toBe(1);
    expect(count(telegramTexts(w, planChat), /is complete/)).toBe(1);
    // Rendered per platform, with the Status button.
    const onDiscord = w.discord.channelMessages(DISCORD_NOTIFY).find((message) => /is complete/.test(message.content))!;
    expect(onDiscord.content).toContain(
      "**alpha** is complete: 3/3 stories pass on branch `ralph/alpha`, after 7 min.",
    );
    expect(JSON.stringify(onDiscord.components)).toContain("Status");
    const onTelegram = w.telegram.sentMessages(planChat.id).find((message) => /is complete/.test(message.plain_text))!;
    expect(onTelegram.text).toContain("<b>alpha</b> is complete");
    expect(onTelegram.reply_markup?.inline_keyboard.flat().map((button) => button.text)).toEqual(["Status"]);
    expect(readNotificationState(w.dataDir)?.outbox).toEqual([]);
  });

  it("approved: the notify channels' notice carries final-plan.md as a Telegram document and a Discord attachment", async () => {
    const w = await world();
    await startPlanbot(w);
    await planOnTelegram(w, "plano");
    const before = telegramTexts(w, planChat).length;
    w.telegram.sendMessage({ chat: planChat, from: admin, text: "/done" });
    await waitUntil(
      () =>
        telegramTexts(w, planChat)
          .slice(before)
          .some((text) => /Approved plano/.test(text)),
      15_000,
      () => JSON.stringify(telegramTexts(w, planChat)),
    );
    const plan = readFileSync(workspacePaths(w.workspaceDir, "plano").finalPlan, "utf8");
    expect(plan.length).toBeGreaterThan(0);
    const approved = /plano\*?\*? is approved and waits for Ralph\./;
    const telegramDocument = () =>
      w.telegram.sentMessages(notifyChat.id).filter((message) => message.method === "sendDocument");
    const discordNotice = () =>
      w.discord.channelMessages(DISCORD_NOTIFY).filter((message) => approved.test(message.content));
    await waitUntil(
      () => telegramDocument().length >= 1 && discordNotice().length >= 1,
      10_000,
      () => JSON.stringify({ notify: telegramTexts(w, notifyChat), discord: discordTexts(w, DISCORD_NOTIFY) }),
    );
    await sleep(400);
    // Telegram: the notice's text, then the plan as a document, once each.
    expect(count(telegramTexts(w, notifyChat), approved)).toBe(1);
    expect(telegramTexts(w, notifyChat).find((text) => approved.test(text))).toContain(
      "The plan is attached as final-plan.md.",
    );
    expect(telegramDocument().map((message) => [message.document?.file_name, message.document?.content])).toEqual([
      ["final-plan.md", plan],
    ]);
    // Discord: one message with the file attached.
    expect(discordNotice().length).toBe(1);
    const attachments = discordNotice()[0]!.attachments as { filename: string; text: string }[];
    expect(attachments.map((attachment) => [attachment.filename, attachment.text])).toEqual([["final-plan.md", plan]]);
    expect(readNotificationState(w.dataDir)?.outbox).toEqual([]);
  });

  it("failed: the reason and the last log lines reach the notify channels (a Telegram forum topic here) and the Discord thread where it was planned", async () => {
    const w = await world();
    const topic = w.telegram.createForumTopic(forumChat, "builds", { deliverUpdate: false }).threadId;
    await startPlanbot(w, {
      env: { TELEGRAM_NOTIFY_CHAT_ID: String(forumChat.id), TELEGRAM_NOTIFY_THREAD_ID: String(topic) },
    });
    const topicTexts = () =>
      w.telegram
        .sentMessages(forumChat.id, topic)
        .filter((message) => message.kind === "sent")
        .map((message) => message.plain_text);
    const thread = await planOnDiscord(w, "beta");
    const store = storeOf(w.dataDir);
    writePrd(w.workspaceDir, "beta", prdWith("beta", [true, false]));
    writeLog(w.workspaceDir, "beta", "iteration-2.log", [
      "npm test",
      "  ✗ adds a todo",
      "Error: expected 1 to be 2",
      "exit 1",
    ]);
    await putEntry(store, {
      name: "beta",
      status: "failed",
      pid: null,
      error: "Ralph exited with code 1 after 2 iterations (1/2 stories pass)",
    });

    const failed = /beta\*?\*? failed: Ralph exited with code 1 after 2 iterations \(1\/2 stories pass\)/;
    await waitUntil(
      () =>
        count(discordTexts(w, DISCORD_NOTIFY), failed) >= 1 &&
        count(topicTexts(), failed) >= 1 &&
        count(discordTexts(w, thread), failed) >= 1,
      10_000,
      () =>
        JSON.stringify({
          discord: discordTexts(w, DISCORD_NOTIFY),
          topic: topicTexts(),
          thread: discordTexts(w, thread),
        }),
    );
    await sleep(400);
    for (const texts of [discordTexts(w, DISCORD_NOTIFY), topicTexts(), discordTexts(w, thread)]) {
      // The failure notice once per chat (the Discord thread also hears that its planning session was ended).
      expect(count(texts, failed), JSON.stringify(texts)).toBe(1);
      const text = texts.find((candidate) => failed.test(candidate))!;
      expect(text).toContain("Last log lines:");
      expect(text).toContain("Error: expected 1 to be 2\nexit 1");
    }
    // Only in the topic: nothing in the forum's general chat, nothing in the unrelated Telegram chats.
    expect(w.telegram.sentMessages(forumChat.id).filter((message) => message.message_thread_id !== topic)).toEqual([]);
    expect(count(telegramTexts(w, planChat), /beta/)).toBe(0);
    const buttons = w.telegram
      .sentMessages(forumChat.id, topic)
      .find((message) => failed.test(message.plain_text))!
      .reply_markup?.inline_keyboard.flat()
      .map((button) => button.text);
    expect(buttons).toEqual(["Retry", "Re-plan", "Cancel"]);
  });

  it("blocked after Ralph's PID dies: Ralph started, then blocked with the story ids, once each; a private chat that planned it hears too", async () => {
    const w = await world();
    w.telegram.addChat(adminChat);
    const store = storeOf(w.dataDir);
    const paths = workspacePaths(w.workspaceDir, "gamma");
    await putEntry(store, { name: "gamma", status: "approved", branch: "ralph/gamma", repo: "team/gamma" });
    writePrd(w.workspaceDir, "gamma", prdWith("gamma", [false, false, false]));
    await putPlanningSession(w.dataDir, "gamma", { adapter: "telegram", channelId: String(adminChat.id) });
    const script = join(paths.ralph, "ralph.sh");
    writeFileSync(script, "#!/usr/bin/env bash\nsleep 300 &\nwait\n");
    chmodSync(script, 0o755);
    await startPlanbot(w);

    const ralph = spawn("bash", [script], { cwd: paths.ralph, detached: true, stdio: "ignore" });
    defer(() => killGroup(ralph));
    await putEntry(store, { name: "gamma", status: "running", pid: ralph.pid!, started_at: new Date().toISOString() });
    const started = /Ralph started on \*?\*?gamma\*?\*? \(branch `?ralph\/gamma`?\): 3 stories to go\./;
    await waitUntil(
      () => count(telegramTexts(w, adminChat), started) === 1 && count(discordTexts(w, DISCORD_NOTIFY), started) === 1,
      10_000,
    );
    // While Ralph runs, the PRD changes under it: still running, nothing to say.
    writePrd(w.workspaceDir, "gamma", prdWith("gamma", [true, "blocked", "blocked"]));
    await sleep(300);
    process.kill(-ralph.pid!, "SIGKILL");

    const blocked = /gamma\*?\*? is blocked: stories `?US-002`?, `?US-003`? cannot proceed \(1\/3 done\)/;
    await waitUntil(
      () =>
        count(discordTexts(w, DISCORD_NOTIFY), blocked) >= 1 &&
        count(telegramTexts(w, notifyChat), blocked) >= 1 &&
        count(telegramTexts(w, adminChat), blocked) >= 1,
      10_000,
      () =>
        JSON.stringify({
          discord: discordTexts(w, DISCORD_NOTIFY),
          notify: telegramTexts(w, notifyChat),
          admin: telegramTexts(w, adminChat),
        }),
    );
    await sleep(400);
    for (const texts of [discordTexts(w, DISCORD_NOTIFY), telegramTexts(w, notifyChat), telegramTexts(w, adminChat)]) {
      expect(
        texts
          .filter((text) => /gamma/.test(text))
          .map((text) => (started.test(text) ? "started" : blocked.test(text) ? "blocked" : text)),
      ).toEqual(["started", "blocked"]);
    }
  });
});

describe("faults at the platforms", () => {
  it("500s and 429s for a while: each chat gets the message exactly once afterwards", async () => {
    const w = await world();
    // Telegram without the client's own retries, so every injected failure reaches the notifier's backoff.
    await startPlanbot(w, { telegram: { retry: { maxRetryAttempts: 0, maxDelaySeconds: 0 } } });
    const store = storeOf(w.dataDir);
    await putEntry(store, { name: "delta", status: "running", pid: null, branch: "ralph/delta" });
    writePrd(w.workspaceDir, "delta", prdWith("delta", [true, false]));
    await putPlanningSession(w.dataDir, "delta", { adapter: "telegram", channelId: String(planChat.id) });
    await sleep(200);

    w.telegram.failNext({ method: "sendMessage", errorCode: 429, retryAfterSeconds: 1, times: 2 });
    w.telegram.failNext({ method: "sendMessage", errorCode: 500, times: 1 });
    w.discord.failNext({ method: "POST", pathIncludes: `/channels/${DISCORD_NOTIFY}/messages`, status: 500, times: 3 });
    w.discord.failNext({
      method: "POST",
      pathIncludes: `/channels/${DISCORD_NOTIFY}/messages`,
      status: 429,
      retryAfterSeconds: 0.2,
      times: 2,
    });
    writePrd(w.workspaceDir, "delta", prdWith("delta", [true, true]));

    await waitUntil(
      () =>
        count(discordTexts(w, DISCORD_NOTIFY), /is complete/) >= 1 &&
        count(telegramTexts(w, notifyChat), /is complete/) >= 1 &&
        count(telegramTexts(w, planChat), /is complete/) >= 1,
      20_000,
      () => JSON.stringify(readNotificationState(w.dataDir)?.outbox),
    );
    await sleep(500);
    expect(count(discordTexts(w, DISCORD_NOTIFY), /is complete/)).toBe(1);
    expect(count(telegramTexts(w, notifyChat), /is complete/)).toBe(1);
    expect(count(telegramTexts(w, planChat), /is complete/)).toBe(1);
    // Every injected failure was hit, and the retries came from the notifier's outbox.
    const injected = w.telegram.calls
      .filter((call) => call.method === "sendMessage" && call.injected)
      .map((call) => call.error?.error_code);
    expect(injected.sort()).toEqual([429, 429, 500]);
    const discordFailures = w.discord.requests
      .filter(
        (request) =>
          request.method === "POST" && request.path === `/channels/${DISCORD_NOTIFY}/messages` && request.status >= 400,
      )
      .map((request) => request.status);
    expect(discordFailures.sort()).toEqual([429, 429, 500, 500, 500]);
    expect(readNotificationState(w.dataDir)?.outbox).toEqual([]);
  });

  it("restart with a message still queued: the next planbot delivers it once, the one after sends nothing", async () => {
    const w = await world();
    const store = storeOf(w.dataDir);
    await putEntry(store, { name: "eps", status: "pending" });
    const first = await startPlanbot(w, { telegram: { retry: { maxRetryAttempts: 0, maxDelaySeconds: 0 } } });
    w.telegram.failNext({ method: "sendMessage", errorCode: 429, retryAfterSeconds: 1, times: 1 });
    await putEntry(store, { name: "eps", status: "planning" });
    await waitUntil(
      () =>
        count(discordTexts(w, DISCORD_NOTIFY), /Planning started for \*\*eps\*\*/) === 1 &&
        (readNotificationState(w.dataDir)?.outbox ?? []).some((item) => item.attempts === 1),
    );
    // planbot goes down with the Telegram message still in the outbox.
    await first.stop();
    const queued = readNotificationState(w.dataDir)!.outbox;
    expect(queued.map((item) => [item.target.adapter, item.target.channel_id, item.attempts])).toEqual([
      ["telegram", String(notifyChat.id), 1],
    ]);
    expect(count(telegramTexts(w, notifyChat), /eps/)).toBe(0);

    const second = await startPlanbot(w);
    await waitUntil(() => count(telegramTexts(w, notifyChat), /Planning started for eps/) === 1, 10_000);
    await second.stop();
    expect(readNotificationState(w.dataDir)?.outbox).toEqual([]);

    const third = await startPlanbot(w);
    await third.notifier.flush();
    await sleep(400);
    expect(count(telegramTexts(w, notifyChat), /eps/)).toBe(1);
    expect(count(discordTexts(w, DISCORD_NOTIFY), /eps/)).toBe(1);
  });
});
