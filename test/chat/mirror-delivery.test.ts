/**
 * Mirrored planner replies and stall notices reach every chat of a session even after a hiccup: through
 * the real Discord and Telegram adapters against the fake servers, a 429, a 5xx and a reply that fails
 * part-way are retried (the rest of the reply only, in order per chat), a permanent refusal is logged
 * once and not retried, and stopping with a retry pending returns at once and says what it dropped.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createReliableSender } from "../../src/chat/reliable-send.ts";
import type { RunProgress } from "../../src/execute/run-progress.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { DISCORD_CHANNEL, SLUG, startMirrorWorld, telegramGroup, type LogLine } from "./mirror-world.ts";

const temp = createTempDirs();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await temp.cleanup();
});

const containing = (texts: string[], marker: string) => texts.filter((text) => text.includes(marker));
const logged = (logs: LogLine[], msg: string, adapter: string) =>
  logs.filter((line) => line.msg === msg && line.slug === SLUG && line.adapter === adapter);

describe("mirrored planner replies after a hiccup", { timeout: 60_000 }, () => {
  it("a reply that meets a Telegram 429 and a Discord 5xx arrives once in each chat", async () => {
    const w = await startMirrorWorld(temp, cleanups);
    // Telegram says how long to wait (retry_after 1 s); discord.js retries a 5xx once itself, so fail twice.
    w.telegram.failNext({ method: "sendMessage", errorCode: 429, retryAfterSeconds: 1 });
    w.discord.failNext({
      method: "POST",
      pathIncludes: `/channels/${DISCORD_CHANNEL}/messages`,
      status: 502,
      times: 2,
    });
    w.plannerSays.push("2. What should it remind people of? (marker-hiccup)");
    const reply = await w.answer("Makers and testers");
    expect(reply.text).toContain("marker-hiccup");
    await w.runtime.delivery.idle();

    expect(w.telegram.calls.filter((call) => call.method === "sendMessage" && call.injected)).toHaveLength(1);
    expect(w.discord.requests.filter((request) => request.status === 502)).toHaveLength(2);
    const inTelegram = containing(w.telegramTexts(), "marker-hiccup");
    expect(inTelegram).toHaveLength(1);
    expect(inTelegram[0]).toContain("ada (dashboard): Makers and testers");
    expect(containing(w.discordTexts(), "marker-hiccup")).toHaveLength(1);
    const retried = logged(w.logs, "chat delivery failed; retrying", "telegram");
    expect(retried).toHaveLength(1);
    expect(retried[0]).toMatchObject({ code: "rate_limited", retryInMs: 1000, kind: "mirrored reply" });
    expect(logged(w.logs, "delivered after retrying", "telegram")).toHaveLength(1);
    expect(logged(w.logs, "delivered after retrying", "discord")).toHaveLength(1);
  });

  it("a long reply whose second part fails is finished without repeating the first part", async () => {
    const w = await startMirrorWorld(temp, cleanups);
    // About 4,800 characters: two Telegram messages (4,096 each), three Discord messages (2,000 each).
    const tokens = Array.from({ length: 800 }, (_, index) => `t${String(index).padStart(4, "0")}`);
    w.telegram.failNext({ method: "sendMessage", errorCode: 500, skip: 1 });
    w.discord.failNext({
      method: "POST",
      pathIncludes: `/channels/${DISCORD_CHANNEL}/messages`,
      status: 500,
      skip: 1,
      times: 2,
    });
    w.plannerSays.push(tokens.join(" "));
    await w.answer("Tell me everything");
    await w.runtime.delivery.idle();

    // Each failure hit the second part, after the first one was out.
    expect(w.telegram.calls.filter((call) => call.method === "sendMessage" && call.injected)).toHaveLength(1);
    expect(w.discord.requests.filter((request) => request.status === 500)).toHaveLength(2);
    for (const texts of [w.telegramTexts(), w.discordTexts()]) {
      const seen = texts.join(" ").match(/t\d{4}/g) ?? [];
      expect(seen).toEqual(tokens);
    }
    const resumed = logged(w.logs, "chat delivery failed; retrying", "telegram");
    expect(resumed[0]).toMatchObject({ deliveredParts: 1 });
  });

  it("a later reply never overtakes an earlier one still waiting for its retry in the same chat", async () => {
    const w = await startMirrorWorld(temp, cleanups);
    w.telegram.failNext({ method: "sendMessage", errorCode: 429, retryAfterSeconds: 1 });
    w.plannerSays.push("First answer (marker-one)", "Second answer (marker-two)");
    await w.answer("one");
    await w.answer("two");
    await w.runtime.delivery.idle();

    const order = w.telegramTexts().filter((text) => /marker-(one|two)/.test(text));
    expect(order.map((text) => /marker-(one|two)/.exec(text)?.[1])).toEqual(["one", "two"]);
    const discordOrder = w.discordTexts().filter((text) => /marker-(one|two)/.test(text));
    expect(discordOrder.map((text) => /marker-(one|two)/.exec(text)?.[1])).toEqual(["one", "two"]);
    // The second reply's only attempt in Telegram came after the first reply's retry.
    const attempts = w.telegram.calls
      .filter((call) => call.method === "sendMessage")
      .map((call) => String((call.params as { text?: string }).text ?? ""))
      .filter((text) => /marker-(one|two)/.test(text))
      .map((text) => /marker-(one|two)/.exec(text)?.[1]);
    expect(attempts).toEqual(["one", "one", "two"]);
  });

  it("a chat that refuses for good is logged once and not retried; the other chats and later replies still arrive", async () => {
    const w = await startMirrorWorld(temp, cleanups);
    w.telegram.failNext({
      method: "sendMessage",
      errorCode: 403,
      description: "Forbidden: bot was kicked from the supergroup chat",
    });
    w.plannerSays.push("Refused here (marker-refused)", "Later one (marker-later)");
    await w.answer("first");
    await w.runtime.delivery.idle();

    const tries = w.telegram.calls.filter(
      (call) =>
        call.method === "sendMessage" &&
        String((call.params as { text?: string }).text ?? "").includes("marker-refused"),
    );
    expect(tries).toHaveLength(1);
    expect(containing(w.telegramTexts(), "marker-refused")).toHaveLength(0);
    expect(containing(w.discordTexts(), "marker-refused")).toHaveLength(1);
    const refused = logged(w.logs, "chat delivery refused for good; not retried", "telegram");
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ code: "send_failed", attempts: 1, kind: "mirrored reply" });
    expect(logged(w.logs, "chat delivery failed; retrying", "telegram")).toHaveLength(0);

    await w.answer("second");
    await w.runtime.delivery.idle();
    expect(containing(w.telegramTexts(), "marker-later")).toHaveLength(1);
    expect(w.runtime.delivery.pending()).toBe(0);
  });

  it("stopping planbot with a retry pending returns at once and logs the dropped message", {
    timeout: 20_000,
  }, async () => {
    const w = await startMirrorWorld(temp, cleanups);
    // Telegram asks for a minute's wait: far longer than this test may take.
    w.telegram.failNext({ method: "sendMessage", errorCode: 429, retryAfterSeconds: 60 });
    w.plannerSays.push("Held back (marker-held)");
    await w.answer("anything");
    expect(w.runtime.delivery.pending()).toBe(1);
    expect(containing(w.discordTexts(), "marker-held")).toHaveLength(1);

    await w.runtime.stop();
    expect(w.runtime.delivery.pending()).toBe(0);
    const dropped = logged(
      w.logs,
      "planbot is stopping: a chat message still waiting for its retry is dropped",
      "telegram",
    );
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toMatchObject({ channel: String(telegramGroup.id), attempts: 1, kind: "mirrored reply" });
    expect(containing(w.telegramTexts(), "marker-held")).toHaveLength(0);
  });
});

describe("a chat that stays unreachable", { timeout: 60_000 }, () => {
  it("keeps at most maxQueuedPerChat messages waiting for it; a newer one is dropped and logged", async () => {
    const w = await startMirrorWorld(temp, cleanups);
    const sender = createReliableSender({ outbound: w.runtime.outbound, log: w.log, maxQueuedPerChat: 2 });
    cleanups.push(() => sender.stop(0));
    w.telegram.failNext({ method: "sendMessage", errorCode: 429, retryAfterSeconds: 60 });
    const group = { adapter: "telegram", channelId: String(telegramGroup.id) };
    const label = { slug: SLUG, kind: "mirrored reply" };
    const states = [
      await sender.send(group, { text: "one (marker-q1)" }, label),
      await sender.send(group, { text: "two (marker-q2)" }, label),
      await sender.send(group, { text: "three (marker-q3)" }, label),
    ];
    expect(states).toEqual(["retrying", "retrying", "dropped"]);
    expect(sender.pending()).toBe(2);
    const full = logged(w.logs, "chat delivery dropped: too many messages already wait for this chat", "telegram");
    expect(full).toHaveLength(1);
    expect(full[0]).toMatchObject({ queued: 2 });
    // Only the first message was tried: the others wait behind its retry.
    const tried = w.telegram.calls.filter(
      (call) => call.method === "sendMessage" && /marker-q/.test(String((call.params as { text?: string }).text)),
    );
    expect(tried).toHaveLength(1);
  });
});

describe("stall notices after a hiccup", { timeout: 60_000 }, () => {
  it("a stall notice that meets a Telegram 502 is retried and arrives once, in every chat of the project", async () => {
    const w = await startMirrorWorld(temp, cleanups);
    w.telegram.failNext({ method: "sendMessage", errorCode: 502 });
    const startedAt = new Date(Date.now() - 40 * 60_000).toISOString();
    const progress: RunProgress = {
      slug: SLUG,
      runId: startedAt,
      startedAt,
      storiesDone: 1,
      storiesTotal: 3,
      currentStory: { id: "US-002", title: "Reminders" },
      iteration: 2,
      maxIterations: 10,
      lastCommit: null,
      commits: 1,
      costUsd: null,
      worker: null,
      lastActivityAt: new Date(Date.now() - 31 * 60_000).toISOString(),
    };
    w.runtime.live.messages.stall(progress, 31);
    await w.runtime.live.messages.idle();
    await w.runtime.delivery.idle();

    expect(w.telegram.calls.filter((call) => call.method === "sendMessage" && call.injected)).toHaveLength(1);
    expect(containing(w.telegramTexts(), "may be stuck")).toHaveLength(1);
    expect(containing(w.discordTexts(), "may be stuck")).toHaveLength(1);
    const retried = logged(w.logs, "chat delivery failed; retrying", "telegram");
    expect(retried[0]).toMatchObject({ kind: "stall notice", code: "send_failed" });
  });
});
