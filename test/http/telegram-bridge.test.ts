// One planning session across two adapters on one runtime: started in Telegram (fake Bot API, real
// grammY adapter), answered from the dashboard through plan/respond — the planner's reply reaches the
// Telegram chat too — and answered again in Telegram, which the dashboard's stream shows live.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startDashboardAdapter } from "../../src/adapters/http/index.ts";
import { startTelegramAdapter } from "../../src/adapters/telegram/index.ts";
import { loadConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import { createRuntime, type Runtime } from "../../src/runtime/runtime.ts";
import { fakeClaudePath } from "../fakes/paths.ts";
import {
  startFakeTelegram,
  type FakeChat,
  type FakeTelegram,
  type FakeUser,
  type SentMessage,
} from "../fakes/telegram/index.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { call } from "./harness.ts";
import { openStream, type StreamClient } from "./sse-client.ts";

const member: FakeUser = { id: 2, first_name: "Max", username: "max" };
const chat: FakeChat = { id: member.id, type: "private" };
const temp = createTempDirs();
const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await temp.cleanup();
});

/** Polls the fake until the bot has sent a message to `chat` (after the first `before`) that matches. */
async function sentMatching(
  fake: FakeTelegram,
  before: number,
  pattern: RegExp,
  timeoutMs = 15_000,
): Promise<SentMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = fake
      .sentMessages(chat.id)
      .slice(before)
      .find((message) => message.kind === "sent" && pattern.test(message.plain_text));
    if (found) return found;
    if (Date.now() > deadline)
      throw new Error(
        `no Telegram message matching ${pattern} within ${timeoutMs} ms; got ${JSON.stringify(
          fake
            .sentMessages(chat.id)
            .slice(before)
            .map((m) => m.plain_text),
        )}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("dashboard ↔ Telegram", () => {
  it("a session started in Telegram, answered through plan/respond, with the planner's reply arriving in the Telegram chat too", async () => {
    const dir = await temp.make("http-telegram-");
    const claudeDir = join(dir, "claude");
    await mkdir(claudeDir, { recursive: true });
    const fake = await startFakeTelegram({ longPollMaxMs: 200 });
    cleanups.push(() => fake.close());
    fake.addChat(chat);
    const loaded = loadConfig(
      {
        PLANBOT_DATA_DIR: dir,
        PLANNER_COMMAND: fakeClaudePath,
        TELEGRAM_TOKEN: fake.token,
        TELEGRAM_API_ROOT: fake.apiRoot,
        DASHBOARD_PORT: "0",
        PLANBOT_MEMBERS: "telegram:2",
      },
      dir,
    );
    if (!loaded.ok) throw new Error(loaded.message);
    const runtime: Runtime = createRuntime(loaded.config, silentLogger, {
      env: { ...process.env, CLAUDE_CONFIG_DIR: claudeDir },
      botUsername: fake.botInfo.username,
    });
    cleanups.push(() => runtime.stop());
    await runtime.watcher.start();
    runtime.onStop(() => runtime.watcher.stop());
    const telegram = await startTelegramAdapter(runtime, { pollTimeoutSeconds: 1 });
    runtime.onStop(() => telegram.stop());
    const dashboard = await startDashboardAdapter(runtime);
    runtime.onStop(() => dashboard.stop());
    const stream: StreamClient = await openStream(dashboard.port);
    cleanups.push(() => stream.close());

    // 1. Planning starts in Telegram.
    fake.sendMessage({ chat, from: member, text: "/plan bridge A shopping list shared between two phones" });
    const questions = await sentMatching(fake, 0, /Who will use bridge/);
    expect(questions.plain_text).toMatch(/\?/);

    // 2. The dashboard answers through plan/respond (it joins the Telegram session by slug).
    const before = fake.sentMessages(chat.id).length;
    const answered = await call(dashboard.port, "POST", "/api/projects/bridge/plan/respond", {
      body: { message: "Both phones run Android" },
    });
    expect(answered.status, answered.text).toBe(200);
    expect(answered.json).toMatchObject({ ok: true, slug: "bridge", phase: "clarify", phase_ready: true });
    expect(answered.json.message).toContain('You answered: "Both phones run Android"');

    // 3. The same planner reply arrives in the Telegram chat, headed by who asked from where.
    const mirrored = await sentMatching(fake, before, /You answered: "Both phones run Android"/);
    expect(mirrored.plain_text).toMatch(/dashboard \(dashboard\): Both phones run Android/);

    const state = await call(dashboard.port, "GET", "/api/projects/bridge/plan/state");
    expect(state.json).toMatchObject({ slug: "bridge", status: "active", adapter: "telegram" });

    // 4. And back: an answer typed in Telegram shows up on the dashboard's stream as a planner event.
    fake.sendMessage({ chat, from: member, text: "Offline support matters" });
    const event = await stream.waitFor(
      (data) => data.type === "planner" && String(data.message).includes("Offline support matters"),
      15_000,
    );
    expect(event.data).toMatchObject({ type: "planner", slug: "bridge" });
    expect(String(event.data.message)).toContain("**@max** (Telegram): Offline support matters");
  });
});
