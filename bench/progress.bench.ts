/**
 * Live progress messages (issue 15), through the real grammY adapter and the fake Telegram Bot API:
 *
 * 1. Edit rate: 10 runs progress at once (a new snapshot of each every 250 ms, its text changing every time)
 *    into one notify group, at the default PROGRESS_EDIT_SECONDS=5, for 40 s (BENCH_FULL=1: 120 s). Edits per
 *    minute per progress message, and per chat, vs Telegram's limit of about 20 messages a minute in one
 *    group. Goal: both under the limit.
 * 2. Completion notice latency: a prd.json write (every story passes → complete) to the notice's
 *    sendMessage at the fake, p50 over 30 transitions, with those 10 runs' progress flowing into the same
 *    chat vs without (the baseline, same process set-up). Goal: p50 ≤ 300 ms with progress on.
 */
import type { RunProgress } from "../src/execute/run-progress.ts";
import type { Runtime } from "../src/runtime/runtime.ts";
import type { FakeChat } from "../test/fakes/telegram/index.ts";
import { sleep } from "../test/helpers/notify-fixtures.ts";
import { percentile, type BenchResult } from "./bench-result.ts";
import {
  completeAndWaitForNotice,
  withTelegramNotifyWorld,
  type TelegramNotifyWorld,
} from "./telegram-notify-world.ts";

const RUNS = 10;
const SNAPSHOT_MS = 250;
const WINDOW_MS = process.env.BENCH_FULL === "1" ? 120_000 : 40_000;
const TRANSITIONS = 30;
const WARMUP = 3;
/** Telegram's documented ceiling for one group: about 20 messages a minute. */
const GROUP_LIMIT_PER_MIN = 20;
const notifyChat: FakeChat = { id: -1001999000015, type: "supergroup", title: "Builds" };

/** Runs the progress bench and returns its result lines. */
export async function benchProgress(): Promise<BenchResult[]> {
  const rate = await withWorld(true, async (world) => {
    const stop = feedProgress(world.runtime, RUNS);
    // The window opens once every run's message exists (sending them takes a few chat gaps).
    const ids: string[] = [];
    for (let sent = 0; sent < RUNS; sent++) {
      const call = await world.fake.waitForCall(
        "sendMessage",
        (candidate) => candidate.ok && String(candidate.params.text).includes(`busy-${sent}</b> — Ralph`),
        60_000,
      );
      ids.push(String((call.result as { message_id: number }).message_id));
    }
    const from = Date.now();
    await sleep(WINDOW_MS);
    stop();
    const edits = world.fake.calls.filter((call) => call.method === "editMessageText" && call.ok && call.at >= from);
    const perMessage = new Map<string, number>(ids.map((id) => [id, 0]));
    for (const call of edits) {
      const id = String(call.params.message_id);
      perMessage.set(id, (perMessage.get(id) ?? 0) + 1);
    }
    const minutes = WINDOW_MS / 60_000;
    const counts = [...perMessage.values()];
    return {
      messages: perMessage.size,
      maxPerMessage: Math.max(0, ...counts) / minutes,
      minPerMessage: Math.min(...counts, Number.POSITIVE_INFINITY) / minutes,
      perChat: edits.length / minutes,
      rejected429: world.fake.calls.filter((call) => !call.ok && call.error?.error_code === 429).length,
    };
  });
  const on = await withWorld(true, (world) => completionLatency(world, true));
  const off = await withWorld(false, (world) => completionLatency(world, false));
  const rateMet = rate.maxPerMessage < GROUP_LIMIT_PER_MIN && rate.perChat <= GROUP_LIMIT_PER_MIN;
  return [
    {
      name: `progress edits: ${RUNS} runs into one Telegram group, snapshot every ${SNAPSHOT_MS} ms each, ${WINDOW_MS / 1000} s window`,
      figures: {
        messages: rate.messages,
        max_edits_per_min_per_message: rate.maxPerMessage,
        min_edits_per_min_per_message: rate.minPerMessage,
        edits_per_min_per_chat: rate.perChat,
        limit_per_min: GROUP_LIMIT_PER_MIN,
        rejected_429: rate.rejected429,
      },
      ratio: {
        value: Math.max(rate.maxPerMessage, rate.perChat) / GROUP_LIMIT_PER_MIN,
        goal: "< 1 per message and ≤ 1 per chat (Telegram group limit 20/min)",
        met: rateMet,
      },
    },
    {
      name: `completion notice latency, ${TRANSITIONS} transitions: with ${RUNS} runs' progress in the same chat vs without`,
      figures: { p50_on_ms: on.p50, p90_on_ms: on.p90, p50_off_ms: off.p50, p90_off_ms: off.p90 },
      ratio: { value: on.p50 / Math.max(1, off.p50), goal: "p50 with progress ≤ 300 ms", met: on.p50 <= 300 },
    },
  ];
}

/** The notify world with `done-NN` projects to complete and, when `live`, the progress messages running. */
function withWorld<T>(live: boolean, work: (world: TelegramNotifyWorld) => Promise<T>): Promise<T> {
  const slugs = Array.from({ length: WARMUP + TRANSITIONS }, (_, index) => `done-${String(index).padStart(2, "0")}`);
  return withTelegramNotifyWorld(
    { prefix: "bench-progress-", chat: notifyChat, slugs, ...(live ? { extra: startProgressMessages } : {}) },
    work,
  );
}

/** The progress messages only: the runs are fed by {@link feedProgress}, no sampler needed. */
async function startProgressMessages(runtime: Runtime): Promise<void> {
  const unsubscribe = runtime.live.hub.subscribe(runtime.live.messages.listener);
  await runtime.live.messages.start();
  runtime.onStop(async () => {
    unsubscribe();
    await runtime.live.messages.stop();
  });
}

/** Publishes a changing snapshot of each of `runs` runs every SNAPSHOT_MS; returns a stop function. */
function feedProgress(runtime: Runtime, runs: number): () => void {
  const startedAt = new Date().toISOString();
  let tick = 0;
  const timer = setInterval(() => {
    tick += 1;
    for (let run = 0; run < runs; run++) {
      const progress: RunProgress = {
        slug: `busy-${run}`,
        runId: startedAt,
        startedAt,
        storiesDone: Math.min(9, Math.floor(tick / 20)),
        storiesTotal: 10,
        currentStory: { id: `US-${tick}`, title: "Story being worked on" },
        iteration: tick,
        maxIterations: 100_000,
        lastCommit: `commit ${tick}`,
        commits: tick,
        costUsd: null,
        worker: null,
        lastActivityAt: new Date().toISOString(),
      };
      runtime.live.hub.publish(progress);
    }
  }, SNAPSHOT_MS);
  return () => clearInterval(timer);
}

/** Latency from a prd.json write (all pass) to the completion notice's sendMessage, with or without progress flowing. */
async function completionLatency(world: TelegramNotifyWorld, withProgress: boolean) {
  const stop = withProgress ? feedProgress(world.runtime, RUNS) : () => undefined;
  // Let the progress messages exist and the edits settle into their rhythm first.
  await sleep(withProgress ? 6000 : 500);
  const samples: number[] = [];
  try {
    for (const [index, slug] of world.slugs.entries()) {
      const { written, call } = await completeAndWaitForNotice(world, notifyChat, slug);
      if (index >= WARMUP) samples.push(call.at - written);
      await sleep(100);
    }
  } finally {
    stop();
  }
  return { p50: percentile(samples, 0.5), p90: percentile(samples, 0.9) };
}
