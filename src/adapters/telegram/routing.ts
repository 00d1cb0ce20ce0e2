import type { Message, User } from "grammy/types";
import type { Incoming } from "../../chat/incoming.ts";

/** The adapter name the core, the roles (`telegram:<user id>`) and the session keys use. */
export const TELEGRAM = "telegram";

/** The bot itself, as getMe described it. */
export interface BotIdentity {
  id: number;
  username: string;
}

/**
 * What to do with a text message:
 * - `command`: run it through the core (it may still be refused or be a usage error);
 * - `candidate`: an answer to the planner if the chat (or topic) has a session — private chats, messages
 *   in a forum topic, and replies to the bot's messages;
 * - `ignore`: ordinary group chatter, commands for another bot, messages from bots.
 */
export type MessageRoute = { kind: "command" } | { kind: "candidate" } | { kind: "ignore"; reason: string };

const COMMAND_HEAD = /^\/([A-Za-z0-9_-]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?=\s|$)/;

/**
 * Decides whether a message is a command, a possible planner answer or chatter (DESIGN.md,
 * "Conversations"). `knownCommand` tells planbot's commands apart from other bots' ones: in a group a
 * bare `/foo` that planbot does not know is probably meant for another bot and is left alone, while
 * `/foo@planbot` or any `/foo` in a private chat gets the core's "unknown command" help.
 */
export function routeMessage(message: Message, me: BotIdentity, knownCommand: (name: string) => boolean): MessageRoute {
  const text = message.text;
  if (text === undefined || !message.from) return { kind: "ignore", reason: "no text or no sender" };
  if (message.from.is_bot) return { kind: "ignore", reason: "from a bot" };
  const isPrivate = message.chat.type === "private";
  const head = COMMAND_HEAD.exec(text.trimStart());
  if (head) {
    const [, name, mention] = head;
    const addressedToMe = mention !== undefined && mention.toLowerCase() === me.username.toLowerCase();
    if (mention !== undefined && !addressedToMe) return { kind: "ignore", reason: "command for another bot" };
    if (!isPrivate && !addressedToMe && !knownCommand(name!)) return { kind: "ignore", reason: "unknown bare command in a group" };
    return { kind: "command" };
  }
  if (isPrivate || topicOf(message) !== undefined || isReplyToBot(message, me.id)) return { kind: "candidate" };
  return { kind: "ignore", reason: "group chatter" };
}

/** The forum topic a message was posted in; undefined outside topics (the General topic included). */
export function topicOf(message: Pick<Message, "is_topic_message" | "message_thread_id">): number | undefined {
  // Outside forums message_thread_id can name a reply thread; only is_topic_message makes it a topic.
  return message.is_topic_message && message.message_thread_id !== undefined ? message.message_thread_id : undefined;
}

/**
 * Whether the message replies to one of the bot's messages. Inside a forum topic every message carries
 * reply_to_message pointing at the topic-creation service message (its id is the thread id), even when
 * the user did not reply to anything; that is never a reply to the bot, even if the bot created the topic.
 */
export function isReplyToBot(message: Message, botId: number): boolean {
  const target = message.reply_to_message;
  if (!target) return false;
  if (target.forum_topic_created !== undefined) return false;
  if (message.is_topic_message && target.message_id === message.message_thread_id) return false;
  return target.from?.id === botId;
}

/** The id of the message this one really replies to (not the topic-creation message). */
function realReplyTo(message: Message): number | undefined {
  const target = message.reply_to_message;
  if (!target || target.forum_topic_created !== undefined) return undefined;
  if (message.is_topic_message && target.message_id === message.message_thread_id) return undefined;
  return target.message_id;
}

/** How a user is named in replies and mirrored headers: @username when they have one. */
export function displayName(user: User): string {
  if (user.username) return `@${user.username}`;
  return [user.first_name, user.last_name].filter(Boolean).join(" ") || String(user.id);
}

/** The core's view of a Telegram message (or of a pressed button, with the command line as `text`). */
export function toIncoming(message: Message, from: User, text: string, withReply = true): Incoming {
  const topic = topicOf(message);
  const replyTo = withReply ? realReplyTo(message) : undefined;
  return {
    adapter: TELEGRAM,
    channelId: String(message.chat.id),
    ...(topic !== undefined ? { threadId: String(topic) } : {}),
    userId: String(from.id),
    userName: displayName(from),
    text,
    ...(replyTo !== undefined ? { replyTo: String(replyTo) } : {}),
  };
}

/** The `sequentialize` key: one queue per chat, and per topic inside forums, so topics run in parallel. */
export function sequenceKey(message: Pick<Message, "chat" | "is_topic_message" | "message_thread_id"> | undefined): string | undefined {
  if (!message) return undefined;
  const topic = topicOf(message);
  return topic === undefined ? String(message.chat.id) : `${message.chat.id}:${topic}`;
}
