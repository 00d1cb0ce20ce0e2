/**
 * A planbot runtime with the real Discord and Telegram adapters against the fake servers, a scripted
 * planner, and one planning session ("mirapp") asked from the dashboard and joined from a Telegram group
 * and a Discord channel: every planner reply is mirrored to both through the reliable sender. Telegram's
 * own retries (auto-retry) are off and discord.js retries a 5xx once, as in `planbot start`, so the
 * failures the fakes inject reach planbot's retries. Logs are kept as parsed pino lines.
 */
import { join } from "node:path";
import { Writable } from "node:stream";
import type { Incoming } from "../../src/chat/incoming.ts";
import type { Reply } from "../../src/chat/reply.ts";
import { createLogger, type Logger } from "../../src/log.ts";
import type { PlannerBackend } from "../../src/planning/planner-backend.ts";
import { createRuntime, type Runtime } from "../../src/runtime/runtime.ts";
import { startFakeDiscord, type FakeDiscord } from "../fakes/discord/index.ts";
import { startFakeTelegram, type FakeChat, type FakeTelegram } from "../fakes/telegram/index.ts";
import { configFor } from "../helpers/notify-fixtures.ts";
import { startBothPlatforms } from "../helpers/start-like-planbot.ts";
import type { TempDirs } from "../helpers/temp-dir.ts";

export const SLUG = "mirapp";
export const DISCORD_CHANNEL = "300";
export const telegramGroup: FakeChat = { id: -1001000000030, type: "supergroup", title: "Planning" };

/** One pino line as logged. */
export type LogLine = Record<string, unknown> & { msg: string };

export interface MirrorWorld {
  runtime: Runtime;
  discord: FakeDiscord;
  telegram: FakeTelegram;
  logs: LogLine[];
  /** The logger whose lines land in `logs`. */
  log: Logger;
  /** The planner's next answers, taken in order (then "Noted."). */
  plannerSays: string[];
  /** An answer typed in the dashboard chat of the session; resolves with the asking chat's reply. */
  answer(text: string): Promise<Reply>;
  /** Texts the bot sent to the Telegram group (each message as users see it), oldest first. */
  telegramTexts(): string[];
  /** Texts the bot posted in the Discord channel, oldest first. */
  discordTexts(): string[];
}

/** Small backoffs so retries happen within a test; a platform's retry-after is still waited out as given. */
export const FAST_RETRY = { backoffMs: 20, maxBackoffMs: 200, maxAttempts: 4 };

function scriptedPlanner(says: string[]): PlannerBackend {
  return {
    run: async (turn) => ({
      ok: true,
      text: says.shift() ?? "Noted.",
      sessionId: turn.sessionId,
      costUsd: 0,
      durationMs: 1,
    }),
  };
}

function incoming(adapter: string, channelId: string, userName: string, text: string): Incoming {
  return { adapter, channelId, userId: `${adapter}-${userName}`, userName, text };
}

/** Starts the world; `cleanups` gets everything to undo, in the order to push (run them reversed). */
export async function startMirrorWorld(temp: TempDirs, cleanups: Array<() => Promise<void>>): Promise<MirrorWorld> {
  const root = await temp.make("mirror-");
  const dataDir = join(root, "data");
  const discord = await startFakeDiscord({ channels: [{ id: DISCORD_CHANNEL, name: "planning" }] });
  cleanups.push(() => discord.close());
  const telegram = await startFakeTelegram({ longPollMaxMs: 200 });
  cleanups.push(() => telegram.close());
  telegram.addChat(telegramGroup);

  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line.trim()) logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const plannerSays: string[] = [];
  const config = configFor(root, dataDir, {
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    DISCORD_GUILD_ID: discord.guildId,
    TELEGRAM_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
  });
  const log = createLogger("info", sink);
  const runtime = createRuntime(config, log, {
    planner: scriptedPlanner(plannerSays),
    deliveryRetry: FAST_RETRY,
  });
  cleanups.push(() => runtime.stop());
  // Without the notifier: this world is about mirrored replies, and it has no notify channel.
  await startBothPlatforms(runtime, { retry: { maxRetryAttempts: 0, maxDelaySeconds: 0 } }, { notifier: false });
  // As startBackground does: stopped before the adapters.
  runtime.onStop(() => runtime.delivery.stop());

  const dashboard = (text: string) => incoming("dashboard", SLUG, "ada", text);
  plannerSays.push("1. Who will use mirapp?");
  const started = await runtime.planning.start({
    incoming: dashboard(`/plan ${SLUG}`),
    slug: SLUG,
    description: "An app followed from three chats",
    force: false,
  });
  if (!started.ok) throw new Error(`planning did not start: ${started.message}`);
  for (const chat of [
    incoming("telegram", String(telegramGroup.id), "max", `/continue ${SLUG}`),
    incoming("discord", DISCORD_CHANNEL, "mel", `/continue ${SLUG}`),
  ]) {
    const joined = await runtime.planning.continueIn({ incoming: chat, slug: SLUG });
    if (!joined.ok) throw new Error(`${chat.adapter} did not join: ${joined.message}`);
  }
  await runtime.delivery.idle();

  return {
    runtime,
    discord,
    telegram,
    logs,
    log,
    plannerSays,
    async answer(text) {
      const answered = await runtime.planning.answer({ incoming: dashboard(text) });
      if (!answered.ok) throw new Error(`the answer failed: ${answered.message}`);
      return answered.reply;
    },
    telegramTexts: () =>
      telegram
        .sentMessages(telegramGroup.id)
        .filter((message) => message.kind === "sent")
        .map((message) => message.plain_text),
    discordTexts: () => discord.channelMessages(DISCORD_CHANNEL).map((message) => message.content),
  };
}
