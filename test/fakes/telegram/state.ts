import { copyPlain } from "./plain-copy.ts";
import type {
  BotCommand,
  Chat,
  InlineKeyboardMarkup,
  Message,
  MessageEntity,
  Update,
  User,
  UserFromGetMe,
} from "grammy/types";
import type { FakeChat, FakeUser, SentMessage } from "./types.ts";

/** A Bot API error answer; thrown by method handlers and turned into `{ok:false,...}` by the server. */
export class ApiError extends Error {
  /** Builds the error; `description` uses Telegram's wording, e.g. "Bad Request: chat not found". */
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number },
  ) {
    super(description);
  }
}

/** Shorthand for the most common error, HTTP 400 with a description. */
export function badRequest(description: string): ApiError {
  return new ApiError(400, `Bad Request: ${description}`);
}

/** Integer parameter from JSON (number) or form data (numeric string); undefined otherwise. */
export function toInt(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  return undefined;
}

/** A message as the fake remembers it, with bookkeeping Telegram keeps server-side. */
export interface StoredMessage {
  message: Message;
  /** Forum topic of the message (the topic-creation message belongs to its own topic). */
  threadId?: number;
  fromBot: boolean;
  deleted: boolean;
  /** Text as the bot sent it, before parse_mode (bot messages only). */
  rawText?: string;
  parseMode?: string;
  /** The uploaded bytes of a document the bot sent. */
  upload?: Buffer;
}

/** Everything the fake knows about one chat. */
export interface ChatRecord {
  chat: FakeChat;
  /** For private chats: the user on the other side (gives the chat its first_name). */
  privateUser?: FakeUser;
  nextMessageId: number;
  messages: Map<number, StoredMessage>;
  topics: Map<number, { name: string; icon_color: number }>;
}

/** Default icon colour of new forum topics (Telegram's 0x6FB9F0). */
export const DEFAULT_TOPIC_COLOR = 7322096;

/** Update types Telegram leaves out when allowed_updates is empty/unset. */
const OPT_IN_UPDATES = new Set(["chat_member", "message_reaction", "message_reaction_count"]);

/** In-memory Telegram: chats, messages, topics, the update queue, callback queries and commands. */
export class FakeState {
  readonly chats = new Map<number, ChatRecord>();
  readonly sentLog: SentMessage[] = [];
  readonly callbackQueries = new Map<string, { answered: boolean }>();
  readonly commands = new Map<string, BotCommand[]>();
  /** Last allowed_updates sent with getUpdates (undefined/[] = Telegram's default set). */
  allowedUpdates: string[] | undefined;
  /** Called whenever an update is queued (the server wakes long polls). */
  onUpdate: () => void = () => {};
  private updates: Update[] = [];
  private nextUpdateId = 1;
  private nextCallbackId = 1;

  /** Creates the state for one bot. */
  constructor(readonly botInfo: UserFromGetMe) {}

  /** The bot as a `User` (the `from` of its messages). */
  botUser(): User {
    const { id, first_name, username } = this.botInfo;
    return { id, is_bot: true, first_name, username };
  }

  /** A FakeUser as the Bot API `User` object. */
  userObject(u: FakeUser): User {
    const user: User = { id: u.id, is_bot: u.is_bot ?? false, first_name: u.first_name };
    if (u.username !== undefined) user.username = u.username;
    if (u.language_code !== undefined) user.language_code = u.language_code;
    return user;
  }

  /** Registers (or refreshes) a chat; for private chats `user` supplies first_name/username. */
  ensureChat(chat: FakeChat, user?: FakeUser): ChatRecord {
    if (chat.is_forum && chat.type !== "supergroup")
      throw new Error(`fake telegram: only supergroups can be forums (chat ${chat.id})`);
    let rec = this.chats.get(chat.id);
    if (!rec) {
      // In forums, id 1 is the General topic; keep it free.
      rec = { chat: { ...chat }, nextMessageId: chat.is_forum ? 2 : 1, messages: new Map(), topics: new Map() };
      this.chats.set(chat.id, rec);
    } else {
      rec.chat = { ...rec.chat, ...chat };
    }
    if (chat.type === "private" && user && !rec.privateUser) rec.privateUser = user;
    return rec;
  }

  /** Resolves a chat_id parameter (number, numeric string or "@username"), else 400 chat not found. */
  requireChat(chatId: unknown): ChatRecord {
    const id = toInt(chatId);
    let rec = id === undefined ? undefined : this.chats.get(id);
    if (!rec && typeof chatId === "string" && chatId.startsWith("@")) {
      rec = [...this.chats.values()].find((r) => r.chat.username !== undefined && `@${r.chat.username}` === chatId);
    }
    if (!rec) throw badRequest("chat not found");
    return rec;
  }

  /** The chat as the Bot API `Chat` object inside messages. */
  chatObject(rec: ChatRecord): Chat {
    const c = rec.chat;
    if (c.type === "private") {
      const chat: Chat.PrivateChat = {
        id: c.id,
        type: "private",
        first_name: rec.privateUser?.first_name ?? c.title ?? "User",
      };
      const username = rec.privateUser?.username ?? c.username;
      if (username !== undefined) chat.username = username;
      return chat;
    }
    if (c.type === "group") return { id: c.id, type: "group", title: c.title ?? `Group ${c.id}` };
    const chat: Chat.SupergroupChat = { id: c.id, type: "supergroup", title: c.title ?? `Supergroup ${c.id}` };
    if (c.username !== undefined) chat.username = c.username;
    if (c.is_forum) chat.is_forum = true;
    return chat;
  }

  /** Next message id of a chat (ids increase per chat, shared by user and bot messages). */
  allocMessageId(rec: ChatRecord): number {
    return rec.nextMessageId++;
  }

  /** Stores a message in its chat and returns the stored record. */
  store(rec: ChatRecord, message: Message, extra: Omit<StoredMessage, "message" | "deleted">): StoredMessage {
    const stored: StoredMessage = { message, deleted: false, ...extra };
    rec.messages.set(message.message_id, stored);
    return stored;
  }

  /** A stored message that still exists (not deleted). */
  visible(rec: ChatRecord, messageId: number | undefined): StoredMessage | undefined {
    if (messageId === undefined) return undefined;
    const m = rec.messages.get(messageId);
    return m && !m.deleted ? m : undefined;
  }

  /** Copy of a message for use as reply_to_message (Telegram never nests reply_to_message). */
  replyCopy(message: Message): Message {
    const copy = copyPlain(message) as Message & { reply_to_message?: Message };
    delete copy.reply_to_message;
    return copy;
  }

  /** Validates message_thread_id for a chat: only existing topics of forum supergroups, never 1 (General). */
  resolveThread(rec: ChatRecord, param: unknown): number | undefined {
    if (param === undefined || param === null) return undefined;
    const id = toInt(param);
    const isForum = rec.chat.type === "supergroup" && rec.chat.is_forum === true;
    if (id === undefined || !isForum || id === 1 || !rec.topics.has(id)) throw badRequest("message thread not found");
    return id;
  }

  /** Creates a forum topic and its forum_topic_created service message (id = thread id). */
  createTopic(rec: ChatRecord, name: string, iconColor: number, from: User): StoredMessage {
    const id = this.allocMessageId(rec);
    rec.topics.set(id, { name, icon_color: iconColor });
    const message = {
      message_id: id,
      message_thread_id: id,
      from,
      chat: this.chatObject(rec),
      date: nowSeconds(),
      forum_topic_created: { name, icon_color: iconColor },
      is_topic_message: true,
    } as Message;
    return this.store(rec, message, { threadId: id, fromBot: from.id === this.botInfo.id });
  }

  /** Records a bot send/edit in the per-chat log returned by `sentMessages`. */
  logSent(
    kind: SentMessage["kind"],
    method: SentMessage["method"],
    rec: ChatRecord,
    stored: StoredMessage,
    replyParameters?: Record<string, unknown>,
  ): void {
    const m = stored.message as Message & {
      text?: string;
      caption?: string;
      entities?: MessageEntity[];
      caption_entities?: MessageEntity[];
      reply_markup?: InlineKeyboardMarkup;
    };
    const entry: SentMessage = {
      kind,
      method,
      chat_id: rec.chat.id,
      message_id: m.message_id,
      text: stored.rawText ?? m.text ?? m.caption ?? "",
      plain_text: m.text ?? m.caption ?? "",
      entities: copyPlain(m.entities ?? m.caption_entities ?? []),
      at: Date.now(),
    };
    if (stored.threadId !== undefined) entry.message_thread_id = stored.threadId;
    if (stored.parseMode !== undefined) entry.parse_mode = stored.parseMode;
    if (m.reply_markup !== undefined) entry.reply_markup = copyPlain(m.reply_markup);
    if (replyParameters !== undefined) entry.reply_parameters = replyParameters;
    if (m.document && stored.upload)
      entry.document = {
        file_name: m.document.file_name ?? "",
        ...(m.document.mime_type ? { mime_type: m.document.mime_type } : {}),
        file_size: stored.upload.length,
        content: stored.upload.toString("utf8"),
      };
    this.sentLog.push(entry);
  }

  /** Registers a new callback query id that answerCallbackQuery may answer once. */
  newCallbackQueryId(): string {
    const id = String(4_200_000_000_000 + this.nextCallbackId++);
    this.callbackQueries.set(id, { answered: false });
    return id;
  }

  /** Whether the current allowed_updates setting lets this update type through. */
  private allows(update: Omit<Update, "update_id">): boolean {
    const type = Object.keys(update)[0] ?? "";
    const allowed = this.allowedUpdates;
    if (allowed === undefined || allowed.length === 0) return !OPT_IN_UPDATES.has(type);
    return allowed.includes(type);
  }

  /** Queues an update (assigning update_id) unless allowed_updates filters it out, like Telegram. */
  enqueue(update: Omit<Update, "update_id">): Update {
    const full = { update_id: this.nextUpdateId++, ...update } as Update;
    if (this.allows(update)) {
      this.updates.push(full);
      this.onUpdate();
    }
    return full;
  }

  /** getUpdates offset semantics: forget updates below a positive offset; a negative offset keeps the last -offset. */
  confirm(offset: number): void {
    if (offset > 0) this.updates = this.updates.filter((u) => u.update_id >= offset);
    else if (offset < 0) this.updates = this.updates.slice(offset);
  }

  /** Up to `limit` unconfirmed updates (call confirm first). */
  peek(limit: number): Update[] {
    return this.updates.slice(0, limit);
  }

  /** All unconfirmed updates. */
  pending(): Update[] {
    return [...this.updates];
  }
}

/** Unix time in seconds, as in Message.date. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Storage key of a command list: scope JSON plus language code. */
export function commandsKey(scope: unknown, languageCode: unknown): string {
  const s = scope && typeof scope === "object" ? scope : { type: "default" };
  const sorted = Object.fromEntries(
    Object.entries(s as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
  );
  return `${JSON.stringify(sorted)}|${typeof languageCode === "string" ? languageCode : ""}`;
}
