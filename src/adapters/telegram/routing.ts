import type { Message, User } from "grammy/types";
import type { Audience } from "../../bot/handled.ts";
import type { Incoming } from "../../chat/incoming.ts";

/** The adapter name the core, the roles (`telegram:<user id>`) and the session keys use. */
export const TELEGRAM = "telegram";

/** The bot itself, as getMe described it. */
export interface BotIdentity {
  id: number;
  username: string;
}

/**
 * What a text message is for planbot, from Telegram's facts alone: `ignore` for messages from bots and
 * commands addressed to another bot; otherwise the audience the core needs (docs/architecture.md, "Life of
 * a chat line"): a private chat or `/cmd@planbot` is `direct`, a forum topic or a reply to the bot is
 * `shared` (an answer where a session runs), other group talk is `chatter` (known commands only).
 */
export type MessageRoute = { kind: "handle"; audience: Audience } | { kind: "ignore"; reason: string };

const COMMAND_HEAD = /^\/([A-Za-z0-9_-]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?=\s|$)/;

/** Routes a message; whether it is a command, and whether a session runs, is the core's to decide. */
export function routeMessage(message: Message, me: BotIdentity): MessageRoute {
  const text = message.text;
  if (text === undefined || !message.from) return { kind: "ignore", reason: "no text or no sender" };
  if (message.from.is_bot) return { kind: "ignore", reason: "from a bot" };
  const mention = COMMAND_HEAD.exec(text.trimStart())?.[2];
  const addressedToMe = mention !== undefined && mention.toLowerCase() === me.username.toLowerCase();
  if (mention !== undefined && !addressedToMe) return { kind: "ignore", reason: "command for another bot" };
  if (message.chat.type === "private" || addressedToMe) return { kind: "handle", audience: "direct" };
  if (topicOf(message) !== undefined || isReplyToBot(message, me.id)) return { kind: "handle", audience: "shared" };
  return { kind: "handle", audience: "chatter" };
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

/** The per-chat order key: one queue per chat, and per topic inside forums, so topics run in parallel. */
export function sequenceKey(
  message: Pick<Message, "chat" | "is_topic_message" | "message_thread_id"> | undefined,
): string | undefined {
  if (!message) return undefined;
  const topic = topicOf(message);
  return topic === undefined ? String(message.chat.id) : `${message.chat.id}:${topic}`;
}

/** The typing indicator's key for a chat and topic; {@link parseTypingKey} reads it back. */
export function typingKey(chatId: number, threadId: number | undefined): string {
  return threadId === undefined ? String(chatId) : `${chatId}:${threadId}`;
}

/** The chat and topic a {@link typingKey} names. */
export function parseTypingKey(key: string): { chatId: number; threadId: number | undefined } {
  const [chat, thread] = key.split(":");
  return { chatId: Number(chat), threadId: thread === undefined ? undefined : Number(thread) };
}
