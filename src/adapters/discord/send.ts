import type { Message, MessageCreateOptions } from "discord.js";
import type { DiscordPayload } from "./render.ts";

/** Anything planbot can post into: a text channel, a thread, a DM. */
export interface MessageSink {
  send(options: MessageCreateOptions): Promise<Message>;
}

/** What a multi-message send achieved: the ids that went out and, if it stopped early, why. */
export interface SendOutcome {
  messageIds: string[];
  error?: unknown;
}

/**
 * Posts payloads to a channel in order; with `replyTo`, the first one is a reply to that message (the
 * rest follow as plain messages, since one reply arrow is enough). Channel messages cannot be ephemeral,
 * so that flag is ignored here. Stops at the first failure and reports what was already delivered, so a
 * caller never resends chunks the user has seen.
 */
export async function sendPayloads(
  channel: MessageSink,
  payloads: DiscordPayload[],
  replyTo?: Message,
): Promise<SendOutcome> {
  const messageIds: string[] = [];
  for (const [index, payload] of payloads.entries()) {
    const options = { content: payload.content, components: payload.components, ...payloadFiles(payload) };
    try {
      const sent = index === 0 && replyTo ? await replyTo.reply(options) : await channel.send(options);
      messageIds.push(sent.id);
    } catch (error) {
      return { messageIds, error };
    }
  }
  return { messageIds };
}

/** A payload's files as discord.js takes them (a Buffer and a name each, sent as multipart). */
export function payloadFiles(payload: DiscordPayload): { files?: { attachment: Buffer; name: string }[] } {
  if (!payload.files?.length) return {};
  return { files: payload.files.map((file) => ({ attachment: Buffer.from(file.content, "utf8"), name: file.name })) };
}
