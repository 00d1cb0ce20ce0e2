/**
 * Shared set-up for the Discord adapter tests: a fake Discord, a runtime over a temp data dir with the
 * fake planner, and the real adapter (real discord.js Client) started against the fake. Plus small
 * helpers to wait for what the fake recorded.
 */
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { startDiscordAdapter, type DiscordAdapter } from "../../src/adapters/discord/index.ts";
import { loadConfig } from "../../src/config.ts";
import type { Logger } from "../../src/log.ts";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import type { ProjectEntry, TasksFile } from "../../src/projects/schemas.ts";
import { createRuntime, type Runtime } from "../../src/runtime/runtime.ts";
import {
  startFakeDiscord,
  type FakeChannelMessage,
  type FakeDiscord,
  type FakeDiscordOptions,
  type FakeUser,
  type RecordedRequest,
} from "../fakes/discord/index.ts";
import { fakeClaudePath } from "../fakes/paths.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

/** PLANBOT_ADMINS = discord:1, PLANBOT_MEMBERS = discord:2; a third user has no role. */
export const admin: FakeUser = { id: "1", username: "ada" };
export const member: FakeUser = { id: "2", username: "mel" };
export const guest: FakeUser = { id: "3", username: "gus" };
/** The fake guild's default text channel. */
export const GENERAL = "100";

/** One running set-up; `close` stops adapter, runtime and fake (idempotent). */
export interface Harness {
  fake: FakeDiscord;
  runtime: Runtime;
  adapter: DiscordAdapter;
  dataDir: string;
  /** Every log line the runtime's logger wrote, parsed. */
  logs: Record<string, unknown>[];
  /** Starts a second adapter on the same runtime (after stopping the first), e.g. to test a restart. */
  restart(): Promise<DiscordAdapter>;
  close(): Promise<void>;
}

const temp = createTempDirs();
const open: Harness[] = [];

/** Stops every harness and removes the temp folders; call it in afterEach. */
export async function closeAll(): Promise<void> {
  for (const harness of open.splice(0)) await harness.close();
  await temp.cleanup();
}

/** Starts fake + runtime + adapter. `guildScoped: false` leaves DISCORD_GUILD_ID unset (global commands). */
export async function startHarness(
  options: { fake?: FakeDiscordOptions; guildScoped?: boolean } = {},
): Promise<Harness> {
  const fake = await startFakeDiscord(options.fake);
  const dataDir = await temp.make("discord-");
  const claudeDir = join(dataDir, "claude-config");
  await mkdir(claudeDir, { recursive: true });
  const loaded = loadConfig(
    {
      PLANBOT_DATA_DIR: dataDir,
      PLANNER_COMMAND: fakeClaudePath,
      DISCORD_TOKEN: fake.token,
      DISCORD_API_URL: fake.apiUrl,
      ...(options.guildScoped === false ? {} : { DISCORD_GUILD_ID: fake.guildId }),
      PLANBOT_ADMINS: "discord:1",
      PLANBOT_MEMBERS: "discord:2",
    },
    dataDir,
  );
  if (!loaded.ok) throw new Error(loaded.message);
  const logs: Record<string, unknown>[] = [];
  const runtime = createRuntime(loaded.config, captureLogger(logs), {
    env: { ...process.env, CLAUDE_CONFIG_DIR: claudeDir },
  });
  let adapter: DiscordAdapter;
  try {
    adapter = await startDiscordAdapter(runtime);
  } catch (error) {
    await fake.close();
    throw error;
  }
  let closed: Promise<void> | undefined;
  const harness: Harness = {
    fake,
    runtime,
    adapter,
    dataDir,
    logs,
    async restart() {
      await harness.adapter.stop();
      harness.adapter = await startDiscordAdapter(runtime);
      return harness.adapter;
    },
    close: () =>
      (closed ??= (async () => {
        await harness.adapter.stop();
        await runtime.stop();
        await fake.close();
      })()),
  };
  open.push(harness);
  return harness;
}

function captureLogger(lines: Record<string, unknown>[]): Logger {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n").filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return pino({ level: "debug" }, sink);
}

/** Polls `probe` until it returns something truthy (or throws after `timeoutMs`). */
export async function eventually<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The store's entries, read from approved-tasks.json as other tools would. */
export async function storedProjects(dataDir: string): Promise<ProjectEntry[]> {
  const text = await readFile(join(dataDir, TASKS_FILE_NAME), "utf8");
  return (JSON.parse(text) as TasksFile).projects ?? [];
}

/** The first stored entry named `slug`. */
export async function storedProject(dataDir: string, slug: string): Promise<ProjectEntry | undefined> {
  return (await storedProjects(dataDir)).find((entry) => entry.name === slug);
}

/** Bodies (type + data) of an interaction's callbacks and webhook calls. */
export function transcriptBodies(
  fake: FakeDiscord,
  interactionId: string,
): { method: string; path: string; status: number; body: Record<string, unknown> }[] {
  return fake.interactionTranscript(interactionId).map((r) => ({
    method: r.method,
    path: r.path,
    status: r.status,
    body: (r.body ?? {}) as Record<string, unknown>,
  }));
}

/** Waits until an interaction got a final answer: a type-4 callback, or content after a deferral. */
export async function answered(
  fake: FakeDiscord,
  interactionId: string,
  what = "the interaction answer",
): Promise<RecordedRequest[]> {
  return eventually(() => {
    const transcript = fake.interactionTranscript(interactionId).filter((r) => r.status < 300);
    const final = transcript.some((r) => {
      const body = (r.body ?? {}) as { type?: number; content?: string; data?: { content?: string } };
      if (r.path.endsWith("/callback")) return body.type === 4;
      return typeof body.content === "string" && body.content.length > 0;
    });
    return final ? transcript : undefined;
  }, what);
}

/** Custom ids of every button on a message. */
export function buttonIds(message: { components: unknown[] } | undefined): string[] {
  const rows = (message?.components ?? []) as { components?: { custom_id?: string }[] }[];
  return rows.flatMap((row) => (row.components ?? []).map((button) => button.custom_id ?? ""));
}

/** The commands a message's buttons run: custom_ids with any choice id (`!<id>/cmd`) taken off. */
export function buttonCommands(message: { components: unknown[] } | undefined): string[] {
  return buttonIds(message).map((id) => id.replace(/^![\w-]+(?=\/)/, ""));
}

/** The choice id a message's buttons share, if they belong to a choice. */
export function choiceOf(message: { components: unknown[] } | undefined): string | undefined {
  return /^!([\w-]+)\//.exec(buttonIds(message)[0] ?? "")?.[1];
}

/** The bot's messages in a channel whose content matches. */
export function messagesMatching(fake: FakeDiscord, channelId: string, pattern: RegExp): FakeChannelMessage[] {
  return fake.channelMessages(channelId).filter((message) => pattern.test(message.content));
}

/** The id of the thread the bot created in `parentId` (waits for the REST call). */
export async function createdThread(
  fake: FakeDiscord,
  parentId = GENERAL,
  nth = 0,
): Promise<{ id: string; name: string }> {
  return eventually(() => {
    const created = fake.requests.filter(
      (r) => r.method === "POST" && r.path === `/channels/${parentId}/threads` && r.status === 201,
    );
    const response = created[nth]?.response as { id: string; name: string } | undefined;
    return response;
  }, "the planning thread");
}
