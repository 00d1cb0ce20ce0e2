import { copyPlain } from "./plain-copy.ts";
import type { BotCommand, InlineKeyboardMarkup, Message, MessageEntity } from "grammy/types";
import { parseFormatted, prepareMessageText, trimFormatted } from "./formatted-text.ts";
import { isUploadedFile, type UploadedFilePart } from "./request-body.ts";
import {
  ApiError,
  badRequest,
  commandsKey,
  DEFAULT_TOPIC_COLOR,
  nowSeconds,
  toInt,
  type ChatRecord,
  type FakeState,
  type StoredMessage,
} from "./state.ts";

/** A Bot API method implementation: returns `result` or throws ApiError. */
export type MethodHandler = (state: FakeState, params: Record<string, unknown>) => unknown;

type TextMessage = Message & {
  text?: string;
  entities?: MessageEntity[];
  reply_markup?: InlineKeyboardMarkup;
  edit_date?: number;
};

const BUTTON_KINDS = [
  "url",
  "callback_data",
  "web_app",
  "login_url",
  "switch_inline_query",
  "switch_inline_query_current_chat",
  "switch_inline_query_chosen_chat",
  "copy_text",
  "callback_game",
  "pay",
];

const CHAT_ACTIONS = new Set([
  "typing",
  "upload_photo",
  "record_video",
  "upload_video",
  "record_voice",
  "upload_voice",
  "upload_document",
  "choose_sticker",
  "find_location",
  "record_video_note",
  "upload_video_note",
]);

const NOT_MODIFIED =
  "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";

/** Validates reply_markup; returns the inline keyboard to attach to the message (other keyboards are not shown on it). */
function validateReplyMarkup(v: unknown): InlineKeyboardMarkup | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v)) throw badRequest("can't parse reply keyboard markup JSON object");
  if (!("inline_keyboard" in v)) return undefined;
  const rows = (v as { inline_keyboard: unknown }).inline_keyboard;
  if (!Array.isArray(rows) || rows.some((r) => !Array.isArray(r))) {
    throw badRequest('can\'t parse inline keyboard button: Field "inline_keyboard" must be of type Array of Array');
  }
  for (const row of rows as unknown[][]) {
    for (const b of row) {
      if (typeof b !== "object" || b === null)
        throw badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
      const button = b as Record<string, unknown>;
      if (typeof button.text !== "string" || button.text === "")
        throw badRequest("can't parse inline keyboard button: Text must be non-empty");
      if (!BUTTON_KINDS.some((k) => button[k] !== undefined)) {
        throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
      }
      if (button.callback_data !== undefined) {
        const data = button.callback_data;
        if (typeof data !== "string" || Buffer.byteLength(data) < 1 || Buffer.byteLength(data) > 64)
          throw badRequest("BUTTON_DATA_INVALID");
      }
      if (button.url !== undefined) {
        let ok = false;
        try {
          ok = ["http:", "https:", "tg:"].includes(new URL(String(button.url)).protocol);
        } catch {
          ok = false;
        }
        if (!ok) throw badRequest(`inline keyboard button URL '${String(button.url)}' is invalid: Wrong HTTP URL`);
      }
    }
  }
  return copyPlain(v) as InlineKeyboardMarkup;
}

/** Finds the message a sendMessage replies to (reply_parameters or legacy reply_to_message_id). */
function resolveReply(
  state: FakeState,
  rec: ChatRecord,
  p: Record<string, unknown>,
  threadId: number | undefined,
): StoredMessage | undefined {
  const rp =
    typeof p.reply_parameters === "object" && p.reply_parameters !== null
      ? (p.reply_parameters as Record<string, unknown>)
      : undefined;
  const id = toInt(rp?.message_id ?? p.reply_to_message_id);
  if (id === undefined) return undefined;
  const targetRec = rp?.chat_id !== undefined ? state.requireChat(rp.chat_id) : rec;
  const target = state.visible(targetRec, id);
  const sameThread = targetRec !== rec || threadId === undefined || target?.threadId === threadId;
  if (target && sameThread) return target;
  if (rp?.allow_sending_without_reply === true || p.allow_sending_without_reply === true) return undefined;
  throw badRequest("message to be replied not found");
}

function requireBotMessage(
  state: FakeState,
  p: Record<string, unknown>,
  notFound: string,
): { rec: ChatRecord; stored: StoredMessage } {
  if (p.inline_message_id !== undefined) throw badRequest("inline_message_id is not supported by the fake");
  const rec = state.requireChat(p.chat_id);
  const stored = state.visible(rec, toInt(p.message_id));
  if (!stored) throw badRequest(notFound);
  if (!stored.fromBot) throw badRequest("message can't be edited");
  return { rec, stored };
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

const sendMessage: MethodHandler = (state, p) => {
  const rec = state.requireChat(p.chat_id);
  let threadId = state.resolveThread(rec, p.message_thread_id);
  const reply = resolveReply(state, rec, p, threadId);
  if (threadId === undefined && reply?.threadId !== undefined && reply.message.chat.id === rec.chat.id)
    threadId = reply.threadId;
  const prepared = prepareMessageText(p.text, p.parse_mode, p.entities);
  if (!prepared.ok) throw new ApiError(400, prepared.description);
  const markup = validateReplyMarkup(p.reply_markup);
  const message: Record<string, unknown> = {
    message_id: state.allocMessageId(rec),
    from: state.botUser(),
    chat: state.chatObject(rec),
    date: nowSeconds(),
  };
  if (threadId !== undefined) {
    message.message_thread_id = threadId;
    message.is_topic_message = true;
  }
  const replyTo = reply ?? (threadId !== undefined ? state.visible(rec, threadId) : undefined);
  if (replyTo) message.reply_to_message = state.replyCopy(replyTo.message);
  message.text = prepared.text;
  if (prepared.entities.length > 0) message.entities = prepared.entities;
  if (markup) message.reply_markup = markup;
  const stored = state.store(rec, message as unknown as Message, {
    ...(threadId !== undefined ? { threadId } : {}),
    fromBot: true,
    rawText: p.text as string,
    ...(typeof p.parse_mode === "string" ? { parseMode: p.parse_mode } : {}),
  });
  const rp =
    typeof p.reply_parameters === "object" && p.reply_parameters !== null
      ? (p.reply_parameters as Record<string, unknown>)
      : undefined;
  state.logSent("sent", "sendMessage", rec, stored, rp);
  return copyPlain(stored.message);
};

/** Telegram's limit on a media caption, in UTF-16 code units after entity parsing. */
const MAX_CAPTION_LENGTH = 1024;

/**
 * The uploaded file of a media parameter. Like the real Bot API, a new file must come as multipart: either
 * the parameter's own file part or `attach://<name>` naming another part. A string that is neither is a
 * file_id or URL of a file Telegram already has, which the fake never has.
 */
function uploadedFile(p: Record<string, unknown>, field: string): UploadedFilePart {
  const value = p[field];
  if (isUploadedFile(value)) return value;
  if (typeof value === "string" && value.startsWith("attach://")) {
    const part = p[value.slice("attach://".length)];
    if (isUploadedFile(part)) return part;
    throw badRequest(`wrong file identifier/HTTP URL specified`);
  }
  if (value === undefined || value === "") throw badRequest(`there is no ${field} in the request`);
  throw badRequest("wrong file identifier/HTTP URL specified");
}

/** A caption's visible text and entities (empty caption allowed), or Telegram's error. */
function prepareCaption(
  raw: unknown,
  parseMode: unknown,
  entities: unknown,
): { text: string; entities: MessageEntity[] } {
  if (raw === undefined || raw === "") return { text: "", entities: [] };
  if (typeof raw !== "string") throw badRequest("can't parse caption");
  const parsed = parseFormatted(raw, typeof parseMode === "string" ? parseMode : undefined, entities);
  if (!parsed.ok)
    throw badRequest("unsupported" in parsed ? "unsupported parse_mode" : `can't parse entities: ${parsed.error}`);
  const trimmed = trimFormatted(parsed.text, parsed.entities);
  if (trimmed.text.length > MAX_CAPTION_LENGTH) throw badRequest("message caption is too long");
  return trimmed;
}

const sendDocument: MethodHandler = (state, p) => {
  const rec = state.requireChat(p.chat_id);
  let threadId = state.resolveThread(rec, p.message_thread_id);
  const reply = resolveReply(state, rec, p, threadId);
  if (threadId === undefined && reply?.threadId !== undefined && reply.message.chat.id === rec.chat.id)
    threadId = reply.threadId;
  const file = uploadedFile(p, "document");
  if (file.size === 0) throw badRequest("file must be non-empty");
  const caption = prepareCaption(p.caption, p.parse_mode, p.caption_entities);
  const markup = validateReplyMarkup(p.reply_markup);
  const id = state.allocMessageId(rec);
  const message: Record<string, unknown> = {
    message_id: id,
    from: state.botUser(),
    chat: state.chatObject(rec),
    date: nowSeconds(),
    document: {
      file_id: `BQACAgIAAxkDAAI${rec.chat.id}_${id}`,
      file_unique_id: `AgAD${id}`,
      file_name: file.filename,
      mime_type:
        file.contentType && file.contentType !== "application/octet-stream" ? file.contentType : "text/markdown",
      file_size: file.size,
    },
  };
  if (threadId !== undefined) {
    message.message_thread_id = threadId;
    message.is_topic_message = true;
  }
  if (reply) message.reply_to_message = state.replyCopy(reply.message);
  if (caption.text) message.caption = caption.text;
  if (caption.entities.length > 0) message.caption_entities = caption.entities;
  if (markup) message.reply_markup = markup;
  const stored = state.store(rec, message as unknown as Message, {
    ...(threadId !== undefined ? { threadId } : {}),
    fromBot: true,
    ...(typeof p.caption === "string" ? { rawText: p.caption } : {}),
    ...(typeof p.parse_mode === "string" ? { parseMode: p.parse_mode } : {}),
    upload: file.content,
  });
  state.logSent("sent", "sendDocument", rec, stored);
  return copyPlain(stored.message);
};

const editMessageText: MethodHandler = (state, p) => {
  const { rec, stored } = requireBotMessage(state, p, "message to edit not found");
  const msg = stored.message as TextMessage;
  if (msg.text === undefined) throw badRequest("there is no text in the message to edit");
  const prepared = prepareMessageText(p.text, p.parse_mode, p.entities);
  if (!prepared.ok) throw new ApiError(400, prepared.description);
  const markup = validateReplyMarkup(p.reply_markup);
  if (msg.text === prepared.text && same(msg.entities ?? [], prepared.entities) && same(msg.reply_markup, markup))
    throw badRequest(NOT_MODIFIED);
  msg.text = prepared.text;
  if (prepared.entities.length > 0) msg.entities = prepared.entities;
  else delete msg.entities;
  // Telegram drops the inline keyboard when an edit does not repeat it.
  if (markup) msg.reply_markup = markup;
  else delete msg.reply_markup;
  msg.edit_date = nowSeconds();
  stored.rawText = p.text as string;
  if (typeof p.parse_mode === "string") stored.parseMode = p.parse_mode;
  else delete stored.parseMode;
  state.logSent("edited", "editMessageText", rec, stored);
  return copyPlain(msg);
};

const editMessageReplyMarkup: MethodHandler = (state, p) => {
  const { rec, stored } = requireBotMessage(state, p, "message to edit not found");
  const msg = stored.message as TextMessage;
  const markup = validateReplyMarkup(p.reply_markup);
  if (same(msg.reply_markup, markup)) throw badRequest(NOT_MODIFIED);
  if (markup) msg.reply_markup = markup;
  else delete msg.reply_markup;
  msg.edit_date = nowSeconds();
  state.logSent("edited", "editMessageReplyMarkup", rec, stored);
  return copyPlain(msg);
};

const deleteMessage: MethodHandler = (state, p) => {
  const rec = state.requireChat(p.chat_id);
  const stored = state.visible(rec, toInt(p.message_id));
  if (!stored) throw badRequest("message to delete not found");
  stored.deleted = true;
  return true;
};

const sendChatAction: MethodHandler = (state, p) => {
  const rec = state.requireChat(p.chat_id);
  state.resolveThread(rec, p.message_thread_id);
  if (typeof p.action !== "string" || !CHAT_ACTIONS.has(p.action))
    throw badRequest("wrong parameter action in request");
  return true;
};

const answerCallbackQuery: MethodHandler = (state, p) => {
  const query = state.callbackQueries.get(String(p.callback_query_id));
  if (!query || query.answered)
    throw badRequest("query is too old and response timeout expired or query ID is invalid");
  if (typeof p.text === "string" && p.text.length > 200) throw badRequest("MESSAGE_TOO_LONG");
  query.answered = true;
  return true;
};

const createForumTopic: MethodHandler = (state, p) => {
  const rec = state.requireChat(p.chat_id);
  if (rec.chat.type !== "supergroup" || !rec.chat.is_forum) throw badRequest("the chat is not a forum");
  if (typeof p.name !== "string" || p.name.length < 1 || p.name.length > 128) throw badRequest("TOPIC_NAME_INVALID");
  const color = toInt(p.icon_color) ?? DEFAULT_TOPIC_COLOR;
  const stored = state.createTopic(rec, p.name, color, state.botUser());
  return { message_thread_id: stored.message.message_id, name: p.name, icon_color: color };
};

function validateCommands(v: unknown): BotCommand[] {
  if (!Array.isArray(v) || v.length > 100)
    throw badRequest('parameter "commands" must be an Array of at most 100 BotCommand');
  return v.map((c: unknown) => {
    const cmd = (c ?? {}) as Record<string, unknown>;
    if (typeof cmd.command !== "string" || !/^[a-z0-9_]{1,32}$/.test(cmd.command))
      throw badRequest("BOT_COMMAND_INVALID");
    if (typeof cmd.description !== "string" || cmd.description.length < 1 || cmd.description.length > 256) {
      throw badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
    }
    return { command: cmd.command, description: cmd.description };
  });
}

/** Bot API methods the fake implements, keyed by lower-cased name (Telegram matches names case-insensitively). getUpdates lives in the server. */
export const METHODS: Record<string, MethodHandler> = {
  getme: (state) => copyPlain(state.botInfo),
  deletewebhook: () => true,
  getwebhookinfo: (state) => ({ url: "", has_custom_certificate: false, pending_update_count: state.pending().length }),
  setmycommands: (state, p) => {
    state.commands.set(commandsKey(p.scope, p.language_code), validateCommands(p.commands));
    return true;
  },
  getmycommands: (state, p) => copyPlain(state.commands.get(commandsKey(p.scope, p.language_code)) ?? []),
  deletemycommands: (state, p) => {
    state.commands.delete(commandsKey(p.scope, p.language_code));
    return true;
  },
  sendmessage: sendMessage,
  senddocument: sendDocument,
  editmessagetext: editMessageText,
  editmessagereplymarkup: editMessageReplyMarkup,
  deletemessage: deleteMessage,
  sendchataction: sendChatAction,
  answercallbackquery: answerCallbackQuery,
  createforumtopic: createForumTopic,
};
