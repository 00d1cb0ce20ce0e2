import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Message } from "grammy/types";
import { startTelegramAdapter, type TelegramAdapterOptions } from "../../src/adapters/telegram/index.ts";
import { loadConfig } from "../../src/config.ts";
import { silentLogger, type Logger } from "../../src/log.ts";
import type { SessionsFile } from "../../src/planning/session-store.ts";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import type { ProjectEntry } from "../../src/projects/schemas.ts";
import type { RunningAdapter } from "../../src/runtime/adapter-catalog.ts";
import { createRuntime, type Runtime } from "../../src/runtime/runtime.ts";
import { fakeClaudePath } from "../fakes/paths.ts";
import {
  startFakeTelegram,
  type FakeChat,
  type FakeTelegram,
  type FakeUser,
  type RecordedCall,
  type SentMessage,
} from "../fakes/telegram/index.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

/** In PLANBOT_ADMINS as telegram:1. */
export const admin: FakeUser = { id: 1, first_name: "Ada", username: "ada" };
/** In PLANBOT_MEMBERS as telegram:2. */
export const member: FakeUser = { id: 2, first_name: "Max", username: "max" };
/** On no list: may only use /help and /whoami. */
export const guest: FakeUser = { id: 3, first_name: "Gus" };
/** A supergroup without topics: answers are replies to the bot. */
export const group: FakeChat = { id: -1001000000001, type: "supergroup", title: "Team" };
/** A forum supergroup: a session started in a topic takes every message of that topic. */
export const forum: FakeChat = { id: -1001000000002, type: "supergroup", title: "Projects", is_forum: true };
/** The admin's private chat with the bot. */
export const adminChat: FakeChat = { id: admin.id, type: "private" };
/** The member's private chat with the bot. */
export const memberChat: FakeChat = { id: member.id, type: "private" };

/** One call of the fake planner, from CLAUDE_CONFIG_DIR/fake-claude/calls.jsonl. */
export interface PlannerCall {
  argv: string[];
  cwd: string;
  stdin: string;
}

/** A runtime over the fake planner and the fake Bot API, with the real Telegram adapter on top. */
export interface TelegramHarness {
  fake: FakeTelegram;
  runtime: Runtime;
  adapter: RunningAdapter;
  root: string;
  dataDir: string;
  claudeDir: string;
  /** Injects a message and waits for the next successful sendMessage to that chat (and topic). */
  say(
    input: { chat: FakeChat; from: FakeUser; text: string; replyToMessageId?: number; threadId?: number },
    timeoutMs?: number,
  ): Promise<{ message: Message; reply: SentMessage }>;
  /** Waits until the bot has sent `count` more messages to a chat than `before`, and returns the new ones. */
  nextSent(chatId: number, before: number, count?: number, timeoutMs?: number): Promise<SentMessage[]>;
  plannerCalls(): Promise<PlannerCall[]>;
  project(slug: string): Promise<ProjectEntry | undefined>;
  sessions(): Promise<SessionsFile>;
  close(): Promise<void>;
}

/** Options of {@link startHarness}. */
export interface HarnessOptions {
  adapter?: TelegramAdapterOptions;
  env?: Record<string, string>;
  log?: Logger;
  /** Start without the adapter (to add more adapters or configure the fake first). */
  withoutAdapter?: boolean;
}

const temp = createTempDirs();

/** Starts the fake Bot API, a runtime with the fake planner and the Telegram adapter. */
export async function startHarness(options: HarnessOptions = {}): Promise<TelegramHarness> {
  const root = await temp.make("telegram-");
  const dataDir = join(root, "data");
  const claudeDir = join(root, "claude");
  await mkdir(claudeDir, { recursive: true });
  const fake = await startFakeTelegram({ longPollMaxMs: 200 });
  const loaded = loadConfig(
    {
      PLANBOT_DATA_DIR: dataDir,
      PLANNER_COMMAND: fakeClaudePath,
      PLANNER_TIMEOUT_S: "20",
      TELEGRAM_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      PLANBOT_ADMINS: "telegram:1",
      PLANBOT_MEMBERS: "telegram:2",
      ...options.env,
    },
    root,
  );
  if (!loaded.ok) throw new Error(loaded.message);
  const runtime = createRuntime(loaded.config, options.log ?? silentLogger, {
    env: { ...process.env, CLAUDE_CONFIG_DIR: claudeDir },
  });
  for (const chat of [group, forum, adminChat, memberChat]) fake.addChat(chat);
  let adapter: RunningAdapter = { stop: async () => undefined };
  if (!options.withoutAdapter)
    adapter = await startTelegramAdapter(runtime, { pollTimeoutSeconds: 1, ...options.adapter });

  const nextSent: TelegramHarness["nextSent"] = async (chatId, before, count = 1, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const sent = fake.sentMessages(chatId).filter((m) => m.kind === "sent");
      if (sent.length >= before + count) return sent.slice(before);
      if (Date.now() > deadline)
        throw new Error(
          `expected ${count} new message(s) in chat ${chatId} within ${timeoutMs} ms; got: ${JSON.stringify(sent.slice(before).map((m) => m.plain_text))}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  return {
    fake,
    runtime,
    get adapter() {
      return adapter;
    },
    set adapter(value) {
      adapter = value;
    },
    root,
    dataDir,
    claudeDir,
    async say(input, timeoutMs = 15_000) {
      const before = fake.sentMessages(input.chat.id).filter((m) => m.kind === "sent").length;
      const message = fake.sendMessage(input);
      const [reply] = await nextSent(input.chat.id, before, 1, timeoutMs);
      return { message, reply: reply! };
    },
    nextSent,
    async plannerCalls() {
      const file = join(claudeDir, "fake-claude", "calls.jsonl");
      if (!existsSync(file)) return [];
      return (await readFile(file, "utf8"))
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as PlannerCall);
    },
    async project(slug) {
      const file = join(dataDir, TASKS_FILE_NAME);
      if (!existsSync(file)) return undefined;
      return (JSON.parse(await readFile(file, "utf8")) as { projects: ProjectEntry[] }).projects.find(
        (p) => p.name === slug,
      );
    },
    async sessions() {
      const file = join(dataDir, "sessions", "planning.json");
      return existsSync(file) ? (JSON.parse(await readFile(file, "utf8")) as SessionsFile) : {};
    },
    async close() {
      // Stop polling (and the handlers) before the fake goes away, or grammY keeps retrying a closed port.
      await adapter.stop();
      await runtime.bot.drain();
      await runtime.stop();
      await fake.close();
      await temp.cleanup();
    },
  };
}

/** The successful calls of one method so far. */
export function okCalls(fake: FakeTelegram, method: string): RecordedCall[] {
  return fake.calls.filter((call) => call.method === method && call.ok);
}
