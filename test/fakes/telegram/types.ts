import type { BotCommand, InlineKeyboardMarkup, Message, MessageEntity, Update, UserFromGetMe } from "grammy/types";

/** A chat the fake knows about; private chat ids are usually the user's id, groups are negative. */
export interface FakeChat {
  id: number;
  type: "private" | "group" | "supergroup";
  /** Title of a group / supergroup (private chats use the user's first_name instead). */
  title?: string;
  /** Only for supergroups: topics (message_thread_id) are allowed only when true. */
  is_forum?: boolean;
  /** Optional public username (lets the bot address the chat as "@username"). */
  username?: string;
}

/** A (usually human) Telegram user that the test impersonates. */
export interface FakeUser {
  id: number;
  first_name: string;
  username?: string;
  is_bot?: boolean;
  language_code?: string;
}

/** Options for {@link startFakeTelegram}; all optional so `startFakeTelegram()` just works. */
export interface FakeTelegramOptions {
  /** Bot token the fake accepts (default "123456:TEST-TOKEN"); others get 401. */
  token?: string;
  /** Bot user id returned by getMe (default: the numeric prefix of the token). */
  botId?: number;
  /** Bot username returned by getMe (default "planbot_test_bot"). */
  botUsername?: string;
  /** Upper bound for how long a getUpdates long poll is held, in ms (default 1000). */
  longPollMaxMs?: number;
}

/** Error part of a Bot API answer, as the fake sent it. */
export interface RecordedError {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

/** One Bot API call the fake answered (getUpdates is kept apart in `pollCalls`). */
export interface RecordedCall {
  /** Method name exactly as it appeared in the URL (grammY sends camelCase). */
  method: string;
  /** Decoded parameters (JSON body, or form fields with JSON-looking values parsed). */
  params: Record<string, unknown>;
  /** Time the answer was sent (Date.now()). */
  at: number;
  ok: boolean;
  result?: unknown;
  error?: RecordedError;
  /** True when the error came from a {@link FailRule} rather than from validation. */
  injected?: boolean;
}

/** A failure to inject into the next call(s) of a method; see `FakeTelegram.failNext`. */
export interface FailRule {
  method: string;
  errorCode: 429 | 500 | 502 | 400 | 403;
  /** Sent as parameters.retry_after (default 1 for 429, none for others). */
  retryAfterSeconds?: number;
  /** How many consecutive calls fail (default 1). */
  times?: number;
  /** Matching calls that succeed before the failures start (default 0): fails a later part of a reply. */
  skip?: number;
  /** Override the description (default: Telegram's wording for the code). */
  description?: string;
}

/** One message the bot sent (sendMessage) or changed (editMessageText / editMessageReplyMarkup). */
export interface SentMessage {
  kind: "sent" | "edited";
  method: "sendMessage" | "sendDocument" | "editMessageText" | "editMessageReplyMarkup";
  chat_id: number;
  message_id: number;
  /** Topic of the message (undefined outside forum topics). */
  message_thread_id?: number;
  /** Text exactly as the bot sent it (with markup); for editMessageReplyMarkup the message's last raw text. */
  text: string;
  /** Text as users see it (after parse_mode / entity parsing and trimming). */
  plain_text: string;
  parse_mode?: string;
  entities: MessageEntity[];
  /** Inline keyboard now on the message (undefined = none). */
  reply_markup?: InlineKeyboardMarkup;
  /** The file of a sendDocument, with the content the bot uploaded (as UTF-8 text). */
  document?: { file_name: string; mime_type?: string; file_size: number; content: string };
  /** The reply_parameters the bot passed (sendMessage only). */
  reply_parameters?: Record<string, unknown>;
  at: number;
}

/** Message-injection input for `FakeTelegram.sendMessage`. */
export interface InjectMessage {
  chat: FakeChat;
  from: FakeUser;
  text: string;
  /** Id of an existing message in the chat (user's or bot's) that this message replies to. */
  replyToMessageId?: number;
  /** Forum topic (created with createForumTopic) the message is posted in. */
  threadId?: number;
}

/** Button-click input for `FakeTelegram.clickButton`. */
export interface InjectClick {
  chat: FakeChat;
  from: FakeUser;
  messageId: number;
  data: string;
  /** Skip the check that the message currently shows a button with this callback_data. */
  force?: boolean;
}

/** The running fake Bot API server and its test-facing controls. */
export interface FakeTelegram {
  /** "http://127.0.0.1:PORT" — pass as `client.apiRoot` to grammY (no trailing slash). */
  apiRoot: string;
  token: string;
  /** What getMe returns; pass to `new Bot(token, { botInfo })` to skip getMe. */
  botInfo: UserFromGetMe;
  /** Every answered Bot API call except getUpdates, in answer order. */
  calls: RecordedCall[];
  /** Every answered getUpdates call (noisy, so kept apart from `calls`). */
  pollCalls: RecordedCall[];
  /** First call (already recorded or future) with this method matching predicate; rejects after timeoutMs (default 5000). */
  waitForCall(method: string, predicate?: (c: RecordedCall) => boolean, timeoutMs?: number): Promise<RecordedCall>;
  /** Makes the chat known (so the bot may message it first) without sending anything. */
  addChat(chat: FakeChat): void;
  /** A user writes in a chat; queues a `message` update and returns the Message. */
  sendMessage(m: InjectMessage): Message;
  /**
   * A user edits their message: its text changes and an `edited_message` update (with `edit_date`) is queued,
   * as Telegram sends one for every edit of a message the bot saw.
   */
  editMessage(chat: FakeChat, messageId: number, text: string): Message;
  /** A user creates a forum topic: queues the forum_topic_created service message (unless deliverUpdate is false). */
  createForumTopic(
    chat: FakeChat,
    name: string,
    opts?: { from?: FakeUser; deliverUpdate?: boolean },
  ): { threadId: number; message: Message };
  /** A user presses an inline button; queues a `callback_query` update. */
  clickButton(c: InjectClick): { callbackQueryId: string; update: Update };
  /** Queues any raw update (update_id is assigned); escape hatch for update types without a helper. */
  injectUpdate(update: Omit<Update, "update_id">): Update;
  /** Makes the next call(s) of `rule.method` fail before any processing. */
  failNext(rule: FailRule): void;
  /** Send/edit log of the bot in a chat (optionally one topic), oldest first. */
  sentMessages(chatId: number, threadId?: number): SentMessage[];
  /** Current state of a stored message (undefined when unknown or deleted). */
  getMessage(chatId: number, messageId: number): Message | undefined;
  /** Commands stored by setMyCommands for a scope (default {type:"default"}) and language ("" = none). */
  myCommands(scope?: Record<string, unknown>, languageCode?: string): BotCommand[];
  /** Updates queued and not yet confirmed by a getUpdates offset. */
  pendingUpdates(): Update[];
  /** Stops the server, drops every connection and rejects pending waitForCall promises. */
  close(): Promise<void>;
}
