/**
 * A runtime started in `planbot start`'s order with both chat platforms: the change watcher, the Discord
 * adapter, the Telegram adapter (short polls, a short stop grace), then the notifier — each stopped with the
 * runtime, last started first. For the tests where notices or replies cross both fakes.
 */
import { startDiscordAdapter } from "../../src/adapters/discord/index.ts";
import { startTelegramAdapter, type TelegramAdapterOptions } from "../../src/adapters/telegram/index.ts";
import type { Runtime } from "../../src/runtime/runtime.ts";
import type { FakeDiscord } from "../fakes/discord/index.ts";
import type { FakeTelegram } from "../fakes/telegram/index.ts";

/** The variables that point planbot at both fakes, with their notify channel and chat. */
export function bothPlatformsEnv(
  discord: FakeDiscord,
  telegram: FakeTelegram,
  notify: { discordChannelId: string; telegramChatId: number },
): Record<string, string> {
  return {
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    DISCORD_GUILD_ID: discord.guildId,
    DISCORD_NOTIFY_CHANNEL_ID: notify.discordChannelId,
    TELEGRAM_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    TELEGRAM_NOTIFY_CHAT_ID: String(notify.telegramChatId),
  };
}

/** What {@link startBothPlatforms} leaves out. */
export interface StartBothOptions {
  /** False leaves the notifier stopped (tests of replies and mirroring, where notices would only interleave). */
  notifier?: boolean;
}

/**
 * Starts the watcher, both adapters and (unless told not to) the notifier on `runtime`; `telegram` adds
 * to the Telegram adapter's options.
 */
export async function startBothPlatforms(
  runtime: Runtime,
  telegram: TelegramAdapterOptions = {},
  options: StartBothOptions = {},
): Promise<void> {
  await runtime.watcher.start();
  runtime.onStop(() => runtime.watcher.stop());
  const discordAdapter = await startDiscordAdapter(runtime, { stopGraceMs: 1000 });
  runtime.onStop(() => discordAdapter.stop());
  const telegramAdapter = await startTelegramAdapter(runtime, {
    pollTimeoutSeconds: 1,
    stopGraceMs: 1000,
    ...telegram,
  });
  runtime.onStop(() => telegramAdapter.stop());
  if (options.notifier === false) return;
  await runtime.notifier.start();
  runtime.onStop(() => runtime.notifier.stop());
}
