/**
 * The Telegram round trip: a `/status` update injected into the fake Bot API until planbot's
 * `sendMessage` is recorded, against a bare grammY bot that answers "ok" to every text, run side by side
 * (alternating commands) with the same runner settings on a second fake. Goals: planbot's p50 ≤ 1.2 ×
 * the bare bot's, and planbot's p99 ≤ 25 ms. The split line cuts each round trip where the bot starts its
 * sendMessage request: the bot's side (the poll answer, its handling) before, the fake's after.
 */
import { run } from "@grammyjs/runner";
import { Bot } from "grammy";
import { startFakeTelegram, type FakeChat, type FakeTelegram, type FakeUser } from "../test/fakes/telegram/index.ts";
import { makeTempDir, removeTempDir } from "../test/helpers/temp-dir.ts";
import type { BenchResult } from "./bench-result.ts";
import { importBuilt } from "./built-planbot.ts";
import {
  roundTripLines,
  startChatBenchRuntime,
  watchRequestStarts,
  type RequestStarts,
  type SplitSample,
} from "./chat-bench-runtime.ts";

const WARMUP = 30;
const COMMANDS = 300;
const POLL_TIMEOUT_S = 1;
/** Idle polls end quickly, so a sample never waits on a poll that is about to time out. */
const LONG_POLL_MAX_MS = 100;
const user: FakeUser = { id: 1, first_name: "Bench", username: "bench" };
const chat: FakeChat = { id: -1001234, type: "supergroup", title: "Bench" };

/** Runs the Telegram bench and returns its result lines. */
export async function benchTelegram(): Promise<BenchResult[]> {
  const { startTelegramAdapter } =
    await importBuilt<typeof import("../src/adapters/telegram/index.ts")>("adapters/telegram/index.ts");
  const { runnerOptions } =
    await importBuilt<typeof import("../src/adapters/telegram/polling.ts")>("adapters/telegram/polling.ts");
  const root = await makeTempDir("bench-telegram-");
  const planbotFake = await startFakeTelegram({ longPollMaxMs: LONG_POLL_MAX_MS });
  const bareFake = await startFakeTelegram({ longPollMaxMs: LONG_POLL_MAX_MS });
  const runtime = await startChatBenchRuntime(root, {
    TELEGRAM_TOKEN: planbotFake.token,
    TELEGRAM_API_ROOT: planbotFake.apiRoot,
    PLANBOT_MEMBERS: "telegram:1",
  });
  const adapter = await startTelegramAdapter(runtime, { pollTimeoutSeconds: POLL_TIMEOUT_S });

  const requests = watchRequestStarts("/sendMessage");
  const bare = new Bot(bareFake.token, { client: { apiRoot: bareFake.apiRoot } });
  bare.on("message:text", (ctx) => ctx.reply("ok"));
  const bareHandle = run(bare, runnerOptions(POLL_TIMEOUT_S));

  try {
    const planbotSplits: SplitSample[] = [];
    const bareSplits: SplitSample[] = [];
    const coreMs: number[] = [];
    const incoming = {
      adapter: "telegram",
      channelId: String(chat.id),
      userId: String(user.id),
      userName: "bench",
      text: "/status",
    };
    for (let i = 0; i < WARMUP + COMMANDS; i++) {
      // Alternate, so all three see the same machine load over the run.
      const a = await roundTrip(planbotFake, "/status", requests);
      const b = await roundTrip(bareFake, "/status", requests);
      const started = performance.now();
      await runtime.bot.handleCommand(incoming);
      const c = performance.now() - started;
      if (i >= WARMUP) {
        planbotSplits.push(a);
        bareSplits.push(b);
        coreMs.push(c);
      }
    }
    const measured = { planbot: planbotSplits, bare: bareSplits, coreMs };
    const { lines, planbot } = roundTripLines("telegram", measured, {
      planbot: "telegram: /status round trip, planbot",
      bare: "telegram: text round trip, bare grammY replying ok",
      core: "telegram: /status in the core alone (no Telegram), for attribution",
    });
    return [
      ...lines,
      {
        name: "telegram: planbot p99",
        figures: { p99_ms: planbot.p99 },
        ratio: { value: planbot.p99, goal: "≤ 25 ms", met: planbot.p99 <= 25 },
      },
    ];
  } finally {
    requests.stop();
    await adapter.stop();
    await bareHandle.stop();
    await runtime.stop();
    await planbotFake.close();
    await bareFake.close();
    await removeTempDir(root);
  }
}

/**
 * Milliseconds from injecting a message to the recorded sendMessage that answers it (the first one after
 * it), split where the bot's request started.
 */
async function roundTrip(fake: FakeTelegram, text: string, requests: RequestStarts): Promise<SplitSample> {
  const seen = fake.calls.length;
  const started = performance.now();
  fake.sendMessage({ chat, from: user, text });
  await fake.waitForCall("sendMessage", (call) => call.ok && fake.calls.indexOf(call, seen) !== -1, 10_000);
  const ended = performance.now();
  const requested = requests.at(fake.apiRoot) ?? ended;
  return { total: ended - started, toRequest: requested - started, afterRequest: ended - requested };
}
