import type { Client, SendableChannels, User } from "discord.js";
import type { Incoming } from "../../chat/incoming.ts";
import type { Logger } from "../../log.ts";
import type { AdapterHost } from "../contract.ts";
import type { KeyedQueues } from "../kit/keyed-queue.ts";
import type { QuickLanes } from "../kit/quick-lanes.ts";
import type { TypingIndicators } from "../kit/typing.ts";

/** The adapter name in every Incoming, conversation key, outbound target and log line. */
export const ADAPTER = "discord";

/** What every Discord handler works with, built once in `startDiscordAdapter`. */
export interface DiscordContext {
  host: AdapterHost;
  client: Client<true>;
  /** `host.log` with `adapter: "discord"`. */
  log: Logger;
  /** One queue per channel (threads and DMs are channels). */
  queues: KeyedQueues;
  /** Which of a channel's queues a typed line waits in: quick commands do not wait behind a planner turn. */
  lanes: QuickLanes;
  typing: TypingIndicators;
}

/** The Incoming for a Discord user's text in a channel (threads and DMs are channels too). */
export function incomingFrom(user: User, channelId: string, text: string, replyTo?: string): Incoming {
  return {
    adapter: ADAPTER,
    channelId,
    userId: user.id,
    userName: user.displayName || user.username,
    text,
    ...(replyTo ? { replyTo } : {}),
  };
}

/** A channel the bot can post in, from the cache or REST; undefined when it is gone or not a text channel. */
export async function sendableChannel(client: Client, channelId: string): Promise<SendableChannels | undefined> {
  const channel = client.channels.cache.get(channelId) ?? (await client.channels.fetch(channelId));
  return channel?.isSendable() ? channel : undefined;
}
