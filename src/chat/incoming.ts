/**
 * A message as the core sees it, whatever platform it came from. Adapters build it from platform
 * events; nothing in the core knows what a Discord interaction or a Telegram update is.
 */
export interface Incoming {
  /** `discord`, `telegram`, `console`, `dashboard`, … */
  adapter: string;
  /** The conversation: a channel, a DM, a thread (Discord threads are channels), a Telegram chat. */
  channelId: string;
  /** A sub-conversation inside the channel: a Telegram forum topic. */
  threadId?: string | undefined;
  userId: string;
  userName: string;
  text: string;
  /** Id of the message this one replies to, when it is a reply. */
  replyTo?: string | undefined;
}

/** Where a reply can be delivered later: a chat on one adapter (plus its topic, if any). */
export interface ChatTarget {
  adapter: string;
  channelId: string;
  threadId?: string | undefined;
}

/** The key a conversation is stored under: `"<adapter>:<channelId>"`, plus `:<threadId>` inside a topic. */
export function conversationKey(target: ChatTarget): string {
  return target.threadId
    ? `${target.adapter}:${target.channelId}:${target.threadId}`
    : `${target.adapter}:${target.channelId}`;
}

/** The chat an incoming message came from. */
export function targetOf(incoming: Incoming): ChatTarget {
  return incoming.threadId
    ? { adapter: incoming.adapter, channelId: incoming.channelId, threadId: incoming.threadId }
    : { adapter: incoming.adapter, channelId: incoming.channelId };
}
