import type { Api } from "grammy";
import type { Outbound } from "../../chat/outbound.ts";
import type { Logger } from "../../log.ts";
import { fail } from "../../projects/result.ts";
import type { CallbackCodec } from "./callback-data.ts";
import { editTelegramMessage, type TelegramSender } from "./sender.ts";

/**
 * The `telegram` Outbound: a chat target's ids become Telegram's numeric chat and topic ids; ids that
 * are not numbers are a permanent `send_failed` (or `message_gone` for an edit), never a Bot API call.
 */
export function createTelegramOutbound(api: Api, sender: TelegramSender, codec: CallbackCodec, log: Logger): Outbound {
  return {
    async send(target, reply, resume) {
      const chatId = Number(target.channelId);
      const threadId = target.threadId === undefined ? undefined : Number(target.threadId);
      if (!Number.isSafeInteger(chatId) || (threadId !== undefined && !Number.isSafeInteger(threadId))) {
        return fail(
          "send_failed",
          `"${target.channelId}${target.threadId ? `/${target.threadId}` : ""}" is not a Telegram chat id.`,
          { details: { permanent: true } },
        );
      }
      return sender.send({ chatId, threadId }, reply, { deliveredParts: resume?.deliveredParts });
    },
    async edit(target, messageId, reply) {
      const chatId = Number(target.channelId);
      const id = Number(messageId);
      if (!Number.isSafeInteger(chatId) || !Number.isSafeInteger(id))
        return fail("message_gone", `"${target.channelId}" / "${messageId}" is not a Telegram message.`);
      return editTelegramMessage(api, codec, log, chatId, id, reply);
    },
  };
}
