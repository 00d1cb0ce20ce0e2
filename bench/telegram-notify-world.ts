/**
 * The world of the benches that time completion notices through Telegram (notify, progress): planbot's
 * runtime in a temp folder with the real grammY adapter on a fake Bot API whose notify chat is `chat`,
 * started in `planbot start`'s order (watcher → adapter → notifier), over `slugs` projects that are
 * running with one of three stories done — so writing a prd.json where all pass makes each complete.
 */
import { join } from "node:path";
import { startTelegramAdapter } from "../src/adapters/telegram/index.ts";
import { silentLogger } from "../src/log.ts";
import { createRuntime, type Runtime } from "../src/runtime/runtime.ts";
import {
  startFakeTelegram,
  type FakeChat,
  type FakeTelegram,
  type RecordedCall,
} from "../test/fakes/telegram/index.ts";
import { configFor, prdWith, putEntries, storeOf, writePrd } from "../test/helpers/notify-fixtures.ts";
import { makeTempDir, removeTempDir } from "../test/helpers/temp-dir.ts";

/** What a bench works with while the world runs. */
export interface TelegramNotifyWorld {
  runtime: Runtime;
  fake: FakeTelegram;
  workspaceDir: string;
  slugs: string[];
}

/** Options of {@link withTelegramNotifyWorld}. */
export interface TelegramNotifyWorldOptions {
  /** Temp folder prefix, e.g. `bench-notify-latency-`. */
  prefix: string;
  /** The notify chat (TELEGRAM_NOTIFY_CHAT_ID). */
  chat: FakeChat;
  slugs: string[];
  /** Runs after the notifier started, before `work` (e.g. more services, stopped with the runtime). */
  extra?: (runtime: Runtime) => Promise<void>;
}

/** Starts the world, runs `work` in it, and stops and removes everything afterwards, also when `work` throws. */
export async function withTelegramNotifyWorld<T>(
  options: TelegramNotifyWorldOptions,
  work: (world: TelegramNotifyWorld) => Promise<T>,
): Promise<T> {
  const { chat, slugs } = options;
  const root = await makeTempDir(options.prefix);
  const dataDir = join(root, "data");
  const fake = await startFakeTelegram({ longPollMaxMs: 200 });
  fake.addChat(chat);
  const config = configFor(root, dataDir, {
    TELEGRAM_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.apiRoot,
    TELEGRAM_NOTIFY_CHAT_ID: String(chat.id),
  });
  await putEntries(
    storeOf(dataDir),
    slugs.map((name) => ({ name, status: "running", pid: null, branch: `ralph/${name}` })),
  );
  for (const slug of slugs) writePrd(config.workspaceDir, slug, prdWith(slug, [true, false, false]));
  const runtime = createRuntime(config, silentLogger);
  try {
    await runtime.watcher.start();
    runtime.onStop(() => runtime.watcher.stop());
    const adapter = await startTelegramAdapter(runtime, { pollTimeoutSeconds: 1 });
    runtime.onStop(() => adapter.stop());
    await runtime.notifier.start();
    runtime.onStop(() => runtime.notifier.stop());
    await options.extra?.(runtime);
    return await work({ runtime, fake, workspaceDir: config.workspaceDir, slugs });
  } finally {
    await runtime.stop();
    await fake.close();
    await removeTempDir(root);
  }
}

/** Writes `slug`'s prd.json with every story passing and waits for its "is complete" notice in `chat`. */
export async function completeAndWaitForNotice(
  world: TelegramNotifyWorld,
  chat: FakeChat,
  slug: string,
): Promise<{ written: number; call: RecordedCall }> {
  const written = Date.now();
  writePrd(world.workspaceDir, slug, prdWith(slug, [true, true, true]));
  const call = await world.fake.waitForCall(
    "sendMessage",
    (candidate) =>
      candidate.ok &&
      candidate.params.chat_id === chat.id &&
      String(candidate.params.text).includes(`${slug}</b> is complete`),
    10_000,
  );
  return { written, call };
}
