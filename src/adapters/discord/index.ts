import { Events, type Client } from "discord.js";
import type { AdapterHost, RunningAdapter } from "../contract.ts";
import { createInFlight } from "../kit/in-flight.ts";
import { createKeyedQueues } from "../kit/keyed-queue.ts";
import { createQuickLanes } from "../kit/quick-lanes.ts";
import { createTypingIndicators } from "../kit/typing.ts";
import { createDiscordClient, loginAndWait } from "./client.ts";
import { syncSlashCommands, type SyncOutcome } from "./command-sync.ts";
import { ADAPTER, sendableChannel, type DiscordContext } from "./context.ts";
import { handleInteraction } from "./interactions.ts";
import { handleMessage } from "./messages.ts";
import { createDiscordOutbound } from "./outbound.ts";

/** Discord shows "typing…" for about 10 s after each call, so it is renewed a little sooner. */
export const TYPING_RENEW_MS = 8000;

/** Options of {@link startDiscordAdapter}. */
export interface DiscordAdapterOptions {
  /** How long `stop()` lets running handlers finish their replies before closing the connection (default 10 s). */
  stopGraceMs?: number;
}

/** The running Discord adapter; `commandSync` says whether start-up registered the slash commands. */
export interface DiscordAdapter extends RunningAdapter {
  readonly commandSync: SyncOutcome | "failed";
  /** The bot's Discord user id (what a mention looks like: `<@id>`). */
  readonly botUserId: string;
}

/**
 * Starts the Discord adapter (docs/architecture.md, "Adapters"): logs in, registers slash commands when they
 * changed, turns slash commands, button clicks, typed commands and planning answers into core calls,
 * and registers the `discord` Outbound. Resolves once the gateway is ready; rejects if login fails.
 * Handler failures are logged and never reach the process.
 */
export async function startDiscordAdapter(
  host: AdapterHost,
  options: DiscordAdapterOptions = {},
): Promise<DiscordAdapter> {
  const { config } = host;
  const token = config.discord.token;
  if (!token) throw new Error("DISCORD_TOKEN is not set, so the Discord adapter cannot start");
  const log = host.log.child({ adapter: ADAPTER });
  const raw = createDiscordClient(config.discord);
  listenForClientTrouble(raw, log);

  let client: Client<true>;
  try {
    client = await loginAndWait(raw, token);
  } catch (error) {
    await raw.destroy().catch(() => undefined);
    throw error;
  }

  const typing = createTypingIndicators(
    async (channelId) => (await sendableChannel(client, channelId))?.sendTyping(),
    log,
    TYPING_RENEW_MS,
  );
  const ctx: DiscordContext = {
    host,
    client,
    log,
    queues: createKeyedQueues(),
    lanes: createQuickLanes(host.bot),
    typing,
  };
  const tasks = createInFlight(ADAPTER, log);
  let accepting = true;
  client.on(Events.MessageCreate, (message) => {
    if (accepting) tasks.track(handleMessage(ctx, message), "message");
  });
  client.on(Events.InteractionCreate, (interaction) => {
    if (accepting) tasks.track(handleInteraction(ctx, interaction), "interaction");
  });

  let commandSync: SyncOutcome | "failed";
  try {
    commandSync = await syncSlashCommands({
      client,
      registry: host.bot.registry,
      dataDir: config.dataDir,
      guildId: config.discord.guildId,
      log,
    });
  } catch (error) {
    // The commands registered earlier (if any) keep working; typed commands always do.
    commandSync = "failed";
    log.error({ err: error, adapter: ADAPTER }, "could not register slash commands");
  }

  host.outbound.register(ADAPTER, createDiscordOutbound(ctx));
  log.info(
    { adapter: ADAPTER, user: client.user.tag, guilds: client.guilds.cache.size, commandSync },
    "discord connected",
  );

  let stopped: Promise<void> | undefined;
  return {
    commandSync,
    botUserId: client.user.id,
    stop: () =>
      (stopped ??= (async () => {
        accepting = false;
        host.outbound.unregister(ADAPTER);
        // Replies of handlers already running still need the connection; give them a bounded moment.
        await tasks.idle(options.stopGraceMs ?? 10_000);
        typing.stopAll();
        await client.destroy();
      })()),
  };
}

/** Client-level errors (gateway, cache, REST warnings) are logged; an unhandled `error` event would crash the process. */
function listenForClientTrouble(client: Client, log: DiscordContext["log"]): void {
  client.on(Events.Error, (error) => log.error({ err: error, adapter: ADAPTER }, "discord client error"));
  client.on(Events.ShardError, (error, shardId) =>
    log.warn({ err: error, adapter: ADAPTER, shard: shardId }, "discord gateway error"),
  );
  client.on(Events.Warn, (message) => log.warn({ adapter: ADAPTER }, message));
  client.rest.on("rateLimited", (info) =>
    log.debug(
      { adapter: ADAPTER, route: info.route, retryAfterMs: info.retryAfter, global: info.global },
      "discord rate limit",
    ),
  );
}
