import { GrammyError, HttpError, InputFile, type Api } from "grammy";
import type { InlineKeyboardButton, InlineKeyboardMarkup, Message } from "grammy/types";
import { choiceLine, type Reply, type ReplyAction } from "../../chat/reply.ts";
import { renderTelegramReply } from "./telegram-html.ts";
import type { Logger } from "../../log.ts";
import { fail, type Failure, type Result } from "../../projects/result.ts";
import type { CallbackCodec } from "./callback-data.ts";

/** Where a reply goes: a chat, optionally a forum topic, optionally as a reply to one message. */
export interface TelegramDestination {
  chatId: number;
  threadId?: number | undefined;
  replyToMessageId?: number | undefined;
}

/**
 * Sends neutral replies to Telegram; every outcome is a Result, nothing throws. A reply's parts are its
 * text chunks, then its document: a failure says in `details.deliveredParts` how many are out, and
 * `context.deliveredParts` (a retry) skips those.
 */
export interface TelegramSender {
  send(
    destination: TelegramDestination,
    reply: Reply,
    context?: { slug?: string | undefined; deliveredParts?: number | undefined },
  ): Promise<Result<{ messageIds: string[] }>>;
  /**
   * Marks a message whose choice was made: appends `chosen` to its text and drops its keyboard. Never
   * throws; when the text cannot take the line, the keyboard is still dropped and `false` comes back so
   * the caller says it in the chat instead.
   */
  markChosen(message: Message, chosen: string): Promise<boolean>;
}

/** Telegram's limit on a message's text, in UTF-16 code units. */
const TELEGRAM_TEXT_LIMIT = 4096;

/** Buttons per keyboard row: three labels still fit side by side on a phone. */
const BUTTONS_PER_ROW = 3;

/** Builds the inline keyboard for a reply's actions (undefined when it has none). */
export function inlineKeyboard(
  actions: ReplyAction[] | undefined,
  codec: CallbackCodec,
  choice?: string,
): InlineKeyboardMarkup | undefined {
  if (!actions?.length) return undefined;
  // Buttons of a choice carry its id, so a press can be recognised as spent (src/bot/choice-press.ts).
  const buttons: InlineKeyboardButton[] = actions.map((action) => ({
    text: action.label,
    callback_data: codec.encode(choiceLine(choice, action.command)),
  }));
  const rows: InlineKeyboardButton[][] = [];
  for (let index = 0; index < buttons.length; index += BUTTONS_PER_ROW)
    rows.push(buttons.slice(index, index + BUTTONS_PER_ROW));
  return { inline_keyboard: rows };
}

/** The HTML the renderer produces, as plain text: the last resort when Telegram rejects the entities. */
export function htmlToPlainText(html: string): string {
  return html
    .replace(/<[^>]*>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
}

function isEntityError(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 400 && /can't parse entities/i.test(error.description);
}

/**
 * Maps a failed Bot API call to the Outbound port's failures: 429 (still limited after auto-retry) is
 * `rate_limited` with `retryAfterMs`; 5xx and network errors are `send_failed` that a retry may fix;
 * other 4xx (chat not found, bot blocked or kicked, topic deleted) are permanent.
 */
export function sendFailure(error: unknown): Failure {
  if (error instanceof GrammyError) {
    const code = error.error_code;
    if (code === 429) {
      const seconds = error.parameters.retry_after ?? 1;
      return fail("rate_limited", `Telegram is rate limiting planbot; retry in ${seconds} s.`, {
        details: { retryAfterMs: seconds * 1000, permanent: false },
      });
    }
    if (code >= 500)
      return fail("send_failed", `Telegram failed (${code} ${error.description}).`, {
        details: { permanent: false, status: code },
      });
    const migrated = error.parameters.migrate_to_chat_id;
    return fail("send_failed", `Telegram refused the message: ${error.description}.`, {
      details: {
        permanent: true,
        status: code,
        ...(migrated !== undefined ? { migrateToChatId: String(migrated) } : {}),
      },
    });
  }
  if (error instanceof HttpError)
    return fail("send_failed", `Could not reach Telegram: ${error.message}`, { details: { permanent: false } });
  return fail("send_failed", `Sending to Telegram failed: ${(error as Error)?.message ?? String(error)}`, {
    details: { permanent: false },
  });
}

/** Creates the {@link TelegramSender}: HTML parse mode, 4096-character chunks, keyboard on the last chunk. */
export function createTelegramSender(api: Api, codec: CallbackCodec, log: Logger): TelegramSender {
  return {
    async markChosen(message, chosen) {
      const chatId = message.chat.id;
      const text = message.text;
      // The message's own entities keep its formatting: the line is appended, so their offsets still hold.
      if (text !== undefined && text.length + chosen.length + 2 <= TELEGRAM_TEXT_LIMIT) {
        try {
          await api.editMessageText(chatId, message.message_id, `${text}\n\n${chosen}`, {
            ...(message.entities ? { entities: message.entities } : {}),
            link_preview_options: { is_disabled: true },
          });
          return true;
        } catch (error) {
          log.warn({ adapter: "telegram", chat: chatId, err: error }, "could not mark the chosen message");
        }
      }
      try {
        await api.editMessageReplyMarkup(chatId, message.message_id, { reply_markup: { inline_keyboard: [] } });
      } catch (error) {
        log.warn({ adapter: "telegram", chat: chatId, err: error }, "could not drop the keyboard of a chosen message");
      }
      return false;
    },
    async send(destination, reply, context = {}) {
      const keyboard = inlineKeyboard(reply.actions, codec, reply.choice);
      let chunks = renderTelegramReply(reply);
      // Buttons need a message to hang on, even when the reply has no text.
      if (chunks.length === 0 && keyboard) chunks = ["…"];
      const messageIds: string[] = [];
      const skip = context.deliveredParts ?? 0;
      /** A failure, with how many parts of the reply are out (the earlier attempts' and this one's). */
      const partWay = (failure: Failure): Failure => ({
        ...failure,
        details: { ...failure.details, deliveredParts: skip + messageIds.length },
      });
      for (const [index, html] of chunks.entries()) {
        if (index < skip) continue;
        const last = index === chunks.length - 1;
        const options = {
          ...(destination.threadId !== undefined ? { message_thread_id: destination.threadId } : {}),
          // Only the first chunk points at the user's message; the rest follow it.
          ...(index === 0 && destination.replyToMessageId !== undefined
            ? { reply_parameters: { message_id: destination.replyToMessageId, allow_sending_without_reply: true } }
            : {}),
          ...(last && keyboard ? { reply_markup: keyboard } : {}),
          // Planner text is full of links to docs; previews would bury the answer.
          link_preview_options: { is_disabled: true },
        };
        try {
          let sent;
          try {
            sent = await api.sendMessage(destination.chatId, html, { ...options, parse_mode: "HTML" });
          } catch (error) {
            if (!isEntityError(error)) throw error;
            // The renderer escapes everything, so this means a renderer bug: deliver the text unformatted rather than lose it.
            log.warn(
              { adapter: "telegram", slug: context.slug, chat: destination.chatId, err: error },
              "telegram rejected the HTML; sent as plain text",
            );
            sent = await api.sendMessage(destination.chatId, htmlToPlainText(html), options);
          }
          messageIds.push(String(sent.message_id));
        } catch (error) {
          const failure = sendFailure(error);
          log.warn(
            {
              adapter: "telegram",
              slug: context.slug,
              chat: destination.chatId,
              thread: destination.threadId,
              code: failure.code,
              details: failure.details,
              sentChunks: messageIds.length,
              chunks: chunks.length,
              err: error,
            },
            "telegram send failed",
          );
          return partWay(failure);
        }
      }
      if (reply.attachment && skip <= chunks.length) {
        // After the text, so a reply that answers a message still starts with the words and its buttons.
        const file = new InputFile(Buffer.from(reply.attachment.content, "utf8"), reply.attachment.name);
        try {
          const sent = await api.sendDocument(destination.chatId, file, {
            ...(destination.threadId !== undefined ? { message_thread_id: destination.threadId } : {}),
          });
          messageIds.push(String(sent.message_id));
        } catch (error) {
          const failure = sendFailure(error);
          log.warn(
            { adapter: "telegram", slug: context.slug, chat: destination.chatId, code: failure.code, err: error },
            "telegram sendDocument failed",
          );
          return partWay(failure);
        }
      }
      return { ok: true, messageIds };
    },
  };
}

/** Telegram's 400 descriptions that mean the message cannot be edited any more: send a new one. */
const GONE =
  /message to edit not found|message can't be edited|MESSAGE_ID_INVALID|message identifier is not specified/i;

/**
 * Replaces a message's text and keyboard in place (`editMessageText`), for messages kept up to date such as
 * a run's progress. Only the first 4096-character chunk is kept (such messages are short). "message is not
 * modified" counts as success; a message that is gone is `message_gone`; other failures as {@link sendFailure}.
 */
export async function editTelegramMessage(
  api: Api,
  codec: CallbackCodec,
  log: Logger,
  chatId: number,
  messageId: number,
  reply: Reply,
): Promise<Result<{ messageId: string }>> {
  const keyboard = inlineKeyboard(reply.actions, codec);
  const html = renderTelegramReply(reply)[0] ?? "…";
  const options = { ...(keyboard ? { reply_markup: keyboard } : {}), link_preview_options: { is_disabled: true } };
  try {
    try {
      await api.editMessageText(chatId, messageId, html, { ...options, parse_mode: "HTML" });
    } catch (error) {
      if (!isEntityError(error)) throw error;
      await api.editMessageText(chatId, messageId, htmlToPlainText(html), options);
    }
    return { ok: true, messageId: String(messageId) };
  } catch (error) {
    if (error instanceof GrammyError && error.error_code === 400 && /message is not modified/i.test(error.description))
      return { ok: true, messageId: String(messageId) };
    if (error instanceof GrammyError && error.error_code === 400 && GONE.test(error.description))
      return fail("message_gone", `The Telegram message ${messageId} cannot be edited: ${error.description}.`, {
        details: { permanent: true },
      });
    const failure = sendFailure(error);
    log.warn({ adapter: "telegram", chat: chatId, code: failure.code, err: error }, "telegram edit failed");
    return failure;
  }
}
