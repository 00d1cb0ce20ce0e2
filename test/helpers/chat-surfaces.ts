import { startDiscordAdapter } from "../../src/adapters/discord/index.ts";
import { startTelegramAdapter } from "../../src/adapters/telegram/index.ts";
import type { RunningAdapter } from "../../src/adapters/contract.ts";
import { loadConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import { createRuntime, type Runtime, type RuntimeOverrides } from "../../src/runtime/runtime.ts";
import { startFakeDiscord, type FakeDiscord } from "../fakes/discord/index.ts";
import { startFakeTelegram, type FakeChat, type FakeTelegram } from "../fakes/telegram/index.ts";
import { openTerminal, type OpenTerminal } from "./console-typing.ts";

/** The Telegram admin (`telegram:1`) and their private chat with the bot. */
const telegramAdmin = { id: 1, first_name: "Ada", username: "ada" };
export const telegramAdminChat: FakeChat = { id: 1, type: "private" };
/** The Discord admin (`discord:1`) and the fake guild's default channel. */
const discordAdmin = { id: "1", username: "ada" };
const GENERAL = "100";

/**
 * One runtime with three chat surfaces on it: the real Telegram adapter (grammY) and the real Discord
 * adapter (discord.js) against their fakes, and the real terminal adapter, registered on the router as
 * `planbot chat` registers it. Each `say` waits for what that surface printed or received next.
 */
export interface ChatSurfaces {
  runtime: Runtime;
  workspaceDir: string;
  terminal: OpenTerminal;
  telegram: FakeTelegram;
  discord: FakeDiscord;
  /** The Telegram admin says `text` in their private chat; resolves with the text of the bot's messages until one matches `until`. */
  telegramSays(text: string, until?: RegExp | string): Promise<string>;
  /** The Discord admin says `text` in the guild's channel; resolves with the bot's messages there until one matches `until`. */
  discordSays(text: string, until?: RegExp | string): Promise<string>;
  /** Waits until the Telegram chat got a message matching `until` after the first `from` ones. */
  telegramGot(from: number, until: RegExp | string): Promise<string>;
  /** Messages the bot sent to the Telegram admin's chat so far. */
  telegramCount(): number;
  close(): Promise<void>;
}

/** Starts the fakes, a runtime on `dataDir` (config read relative to `root`) and the three adapters. */
export async function startChatSurfaces(options: {
  root: string;
  dataDir: string;
  env?: Record<string, string>;
  overrides?: RuntimeOverrides;
}): Promise<ChatSurfaces> {
  const telegram = await startFakeTelegram({ longPollMaxMs: 200 });
  const discord = await startFakeDiscord();
  const loaded = loadConfig(
    {
      PLANBOT_DATA_DIR: options.dataDir,
      TELEGRAM_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_GUILD_ID: discord.guildId,
      PLANBOT_ADMINS: "telegram:1,discord:1",
      ...options.env,
    },
    options.root,
  );
  if (!loaded.ok) throw new Error(loaded.message);
  const runtime = createRuntime(loaded.config, silentLogger, options.overrides);
  telegram.addChat(telegramAdminChat);
  const adapters: RunningAdapter[] = [];
  adapters.push(await startTelegramAdapter(runtime, { pollTimeoutSeconds: 1 }));
  adapters.push(await startDiscordAdapter(runtime));
  const terminal = openTerminal(runtime.bot);
  runtime.outbound.register("console", terminal.outbound);

  const telegramTexts = () =>
    telegram
      .sentMessages(telegramAdminChat.id)
      .filter((m) => m.kind === "sent")
      .map((m) => m.plain_text);
  const matches = (text: string, until: RegExp | string) =>
    typeof until === "string" ? text.includes(until) : until.test(text);
  const until = async (received: () => string[], from: number, pattern: RegExp | string, what: string) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const got = received().slice(from);
      if (got.some((text) => matches(text, pattern))) return got.join("\n");
      if (Date.now() > deadline) throw new Error(`${what} got no ${String(pattern)}; it got: ${got.join("\n")}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const telegramGot = (from: number, pattern: RegExp | string) => until(telegramTexts, from, pattern, "Telegram");
  const discordTexts = () => discord.channelMessages(GENERAL).map((m) => m.content);

  return {
    runtime,
    workspaceDir: loaded.config.workspaceDir,
    terminal,
    telegram,
    discord,
    telegramSays(text, pattern = /./) {
      const from = telegramTexts().length;
      telegram.sendMessage({ chat: telegramAdminChat, from: telegramAdmin, text });
      return telegramGot(from, pattern);
    },
    async discordSays(text, pattern = /./) {
      const from = discordTexts().length;
      await discord.sendMessage({ channelId: GENERAL, author: discordAdmin, content: text });
      return until(discordTexts, from, pattern, "Discord");
    },
    telegramGot,
    telegramCount: () => telegramTexts().length,
    async close() {
      await terminal.close();
      for (const adapter of adapters.reverse()) await adapter.stop();
      await runtime.bot.drain();
      await runtime.stop();
      await telegram.close();
      await discord.close();
    },
  };
}
